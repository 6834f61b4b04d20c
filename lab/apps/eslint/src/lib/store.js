const data = [];

export const store = {
  list: () => data,
  add(item) {
    let id = data.length;
    data.push({ id, ...item });
    console.log('added', id);
    return id;
  },
};

export function createRouter() {
  const routes = [];
  return {
    add(method, path, handler) {
      routes.push({ method, path, handler });
    },
    match(method, url) {
      const path = new URL(url, 'http://localhost').pathname;
      return routes.find((r) => r.method === method && r.path === path);
    },
  };
}

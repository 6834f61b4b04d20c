export const formatPrice = (cents) => `€${(cents / 100).toFixed(2)}`;

export function byCategory(products) {
  const groups = {};
  for (const product of products) (groups[product.category] ??= []).push(product);
  return groups;
}

export const unused = () => 'tree-shaken away';

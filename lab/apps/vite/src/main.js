import './style.css';
import products from './products.json';
import { formatPrice, byCategory } from './format.js';

const app = document.querySelector('#app');
for (const [category, items] of Object.entries(byCategory(products))) {
  const section = document.createElement('section');
  section.innerHTML = `<h2>${category}</h2><ul>${items.map((p) => `<li>${p.name}: ${formatPrice(p.price)}</li>`).join('')}</ul>`;
  app.append(section);
}

if (import.meta.env.DEV) console.log('development build');

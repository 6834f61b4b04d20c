import { createRouter } from './router.js';
import { items } from './routes/items.js';
import { health } from './routes/health.js';

const router = createRouter();
router.add('GET', '/healthz', health);
router.add('GET', '/items', items);

export default router;

import { loadDemoCatalog } from '../../demo/demo-catalog.ts';
import { defineSurface } from '../shared/surface.ts';
import { CATALOG_ERRORS } from './errors.ts';
import { imageRoutes, productRoutes } from './routes.ts';

/** How often counted product views are written (the contract allows 2 s). */
export const VIEW_FLUSH_MS = 1000;

/** Seed 001's product catalog and its cached image files. */
export const catalog = defineSurface({
  name: 'catalog',
  summary: 'products, the popular list, cached image files',
  mounts: ['/api/products/*', '/cache/catalog/*'],
  plugin: async (app, options) => {
    await app.register(productRoutes, { ...options, prefix: '/api/products' });
    await app.register(imageRoutes, { ...options, prefix: '/cache/catalog' });
  },
  errors: { catalog: CATALOG_ERRORS },
  async start(core, config, log) {
    if (config.demoData) {
      const loaded = await loadDemoCatalog(core.catalog, config.imageDir, core.clock.now());
      if (loaded > 0) log.info({ products: loaded, imageDir: config.imageDir }, 'empty catalog: demo products loaded');
    }
    core.catalog.views.start(VIEW_FLUSH_MS);
    return () => core.catalog.views.stop();
  },
});

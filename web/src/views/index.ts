import type { Me } from '../api.ts';
import { auditsView } from './audits.ts';
import { defendersView } from './defenders.ts';
import { incidentsView } from './incidents.ts';
import { intelView } from './intel.ts';
import { modelsView } from './models.ts';
import { modesView } from './modes.ts';
import { radarView } from './radar.ts';

/** What a view gets: who is looking, the rest of the URL (an id), and a way to go elsewhere. */
export interface ViewContext {
  me: Me;
  arg: string | undefined;
  go: (hash: string) => void;
}

export interface View {
  name: string;
  title: string;
  render(context: ViewContext): Promise<Node>;
}

/** Every view, in the order the sidebar lists them. */
export const VIEWS: readonly View[] = [modelsView, incidentsView, auditsView, radarView, modesView, intelView, defendersView];

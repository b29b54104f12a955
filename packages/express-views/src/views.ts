import { Eta } from 'eta';
import type { ResolvedRouterOptions } from './options.js';
import {
  confirmUnsubscribeTemplate,
  layoutTemplate,
  noticeTemplate,
  preferencesTemplate,
} from './templates.js';

export type PageName = 'preferences' | 'confirm-unsubscribe' | 'notice';

export interface Views {
  /** Renders a page body and wraps it in the application's layout or the built-in one. */
  page(name: PageName, title: string, data: Record<string, unknown>): string;
}

export function createViews(options: ResolvedRouterOptions): Views {
  const eta = new Eta({ autoEscape: true, cache: true, useWith: false });
  eta.loadTemplate('@layout', layoutTemplate);
  eta.loadTemplate('@preferences', preferencesTemplate);
  eta.loadTemplate('@confirm-unsubscribe', confirmUnsubscribeTemplate);
  eta.loadTemplate('@notice', noticeTemplate);
  const common = { bootstrap: options.bootstrap, stylesheets: options.stylesheets };
  return {
    page(name, title, data) {
      const body = eta.render(`@${name}`, { ...common, title, ...data });
      if (options.layout) return options.layout({ title, body });
      return eta.render('@layout', { ...common, title, body });
    },
  };
}

// The interface language: which one is in use, how it is chosen, and t().
//
// The language follows the system (the desktop window puts the language of
// its locale variables into index.html: WebKit's own navigator.language only
// works where that locale is generated) or the browser until the user picks
// one with the switch; the pick is remembered in localStorage. Switching
// re-renders the whole app.
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { en, type MessageKey, type Messages } from './en';
import { selectPlurals } from './plural';
import { zhCN } from './zh-CN';

/** The languages of the interface. */
export type Locale = 'en' | 'zh-CN';

/** Every language, in the order the switch offers them. */
export const LOCALES: readonly Locale[] = ['en', 'zh-CN'];

const DICTIONARIES: Record<Locale, Messages> = { en, 'zh-CN': zhCN };

/** The localStorage key that remembers the user's pick. */
export const LOCALE_STORAGE_KEY = 'reelvault.locale';

/** The first of the preferred languages the interface speaks; English otherwise. */
export function pickLocale(preferred: readonly string[]): Locale {
  for (const tag of preferred) {
    const lower = tag.toLowerCase();
    if (lower.startsWith('zh')) return 'zh-CN';
    if (lower.startsWith('en')) return 'en';
  }
  return 'en';
}

function storage(): Storage | undefined {
  try {
    return globalThis.localStorage;
  } catch {
    return undefined; // Storage can be switched off; then the pick lasts for the page.
  }
}

/** The name of the meta element in which the desktop window puts the system language. */
export const SYSTEM_LANGUAGE_META = 'reelvault-language';

/** The preferred languages: the system's as the window gives it, then the browser's. */
export function preferredLanguages(system: string | undefined, browser: readonly string[]): string[] {
  return system ? [system, ...browser] : [...browser];
}

function initialLocale(): Locale {
  const saved = storage()?.getItem(LOCALE_STORAGE_KEY);
  if (saved === 'en' || saved === 'zh-CN') return saved;
  const system = globalThis.document?.querySelector<HTMLMetaElement>(`meta[name="${SYSTEM_LANGUAGE_META}"]`)?.content;
  const nav = globalThis.navigator;
  return pickLocale(preferredLanguages(system, nav ? (nav.languages?.length ? nav.languages : [nav.language]) : []));
}

let current: Locale = initialLocale();
const listeners = new Set<(l: Locale) => void>();

/** The language in use. */
export function getLocale(): Locale {
  return current;
}

/** Switches the language, remembers the pick and re-renders whoever listens. */
export function setLocale(l: Locale): void {
  current = l;
  storage()?.setItem(LOCALE_STORAGE_KEY, l);
  if (typeof document !== 'undefined') document.documentElement.lang = l;
  listeners.forEach((fn) => fn(l));
}

/** The language in use, re-rendering the component when it changes. */
export function useLocale(): Locale {
  const [l, setL] = useState(current);
  useEffect(() => {
    listeners.add(setL);
    return () => {
      listeners.delete(setL);
    };
  }, []);
  return l;
}

/** Parameters put into a message's {name} placeholders. */
export type Params = Record<string, string | number>;

/**
 * The message key in the current language, with {name} placeholders filled
 * from params (numbers are formatted for the language) and each
 * {name, plural, one {…} other {…}} replaced by the form the number takes
 * in the language (see plural.ts).
 */
export function t(key: MessageKey, params?: Params, locale: Locale = current): string {
  if (!params) return DICTIONARIES[locale][key];
  const text = selectPlurals(DICTIONARIES[locale][key], params, locale, (n) => n.toLocaleString(locale));
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const v = params[name];
    if (v === undefined) return whole;
    return typeof v === 'number' ? v.toLocaleString(locale) : v;
  });
}

/**
 * The message key with {name} placeholders replaced by elements (links,
 * code), for sentences that hold markup: the word order stays the language's.
 */
export function tx(key: MessageKey, parts: Record<string, ComponentChildren>): ComponentChildren[] {
  return DICTIONARIES[current][key].split(/(\{\w+\})/).map((piece) => {
    const m = /^\{(\w+)\}$/.exec(piece);
    return m && m[1] !== undefined && m[1] in parts ? parts[m[1]] : piece;
  });
}

/** Whether key is a message (for keys built at run time, like error codes). */
export function hasKey(key: string): key is MessageKey {
  return Object.prototype.hasOwnProperty.call(en, key);
}

export type { MessageKey };

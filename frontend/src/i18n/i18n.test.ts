import { afterEach, describe, expect, it } from 'vitest';
import { en } from './en';
import { zhCN } from './zh-CN';
import { paramNames } from './plural';
import { LOCALE_STORAGE_KEY, getLocale, hasKey, pickLocale, preferredLanguages, setLocale, t, tx } from '.';

const placeholders = paramNames;

describe('dictionaries', () => {
  it('have the same keys in both languages', () => {
    expect(Object.keys(zhCN).sort()).toEqual(Object.keys(en).sort());
  });

  it('fill the same placeholders in both languages, and leave no text empty', () => {
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      expect(placeholders(zhCN[key]), key).toEqual(placeholders(en[key]));
      expect(en[key].trim(), key).not.toBe('');
      expect(zhCN[key].trim(), key).not.toBe('');
    }
  });

  it('translate: no Chinese message is the English one, apart from names and codes', () => {
    const same = (Object.keys(en) as (keyof typeof en)[]).filter((k) => en[k] === zhCN[k]);
    expect(same.sort()).toEqual(['stats.p95', 'window.title']);
  });
});

describe('counts', () => {
  const keys = Object.keys(en) as (keyof typeof en)[];
  /** Every parameter of the message set to v. */
  const all = (key: keyof typeof en, v: number) => Object.fromEntries(paramNames(en[key]).map((p) => [p, v]));
  const plural = /\b1 (?:[a-z]+ )?(tasks|videos|files|days|weeks|rows|pages|scenes|sets|users|indexes)\b/;

  it('never say "1 tasks" in English', () => {
    const wrong = keys.map((k) => t(k, all(k, 1), 'en')).filter((text) => plural.test(text));
    expect(wrong).toEqual([]);
  });

  it('say "2 tasks" and "1 task"', () => {
    expect(t('history.count', { n: 1 }, 'en')).toBe('1 task');
    expect(t('history.count', { n: 2 }, 'en')).toBe('2 tasks');
    expect(t('history.count', { n: '1' }, 'en')).toBe('1 task');
    expect(t('bulk.done', { n: 1, matched: 1 }, 'en')).toBe('1 of 1 task changed.');
    expect(t('trash.movedFilesLeft', { n: 1, left: 2 }, 'en')).toBe('1 task moved to the trash; 2 video files stayed in place (no system trash).');
    expect(t('trash.keptFor', { n: 1 }, 'en')).toBe('Trashed tasks are kept for 1 day, then deleted for good.');
  });

  it('have no plural forms in Chinese', () => {
    expect(keys.filter((k) => /, plural,/.test(zhCN[k]))).toEqual([]);
    expect(t('history.count', { n: 1 }, 'zh-CN')).toBe('共 1 个任务');
  });
});

describe('pickLocale', () => {
  it.each([
    [['zh-CN', 'en'], 'zh-CN'],
    [['zh-TW'], 'zh-CN'],
    [['zh'], 'zh-CN'],
    [['en-GB', 'zh-CN'], 'en'],
    [['fr-FR', 'zh-Hans-CN'], 'zh-CN'],
    [['de'], 'en'],
    [[], 'en'],
  ])('%j → %s', (langs, want) => expect(pickLocale(langs)).toBe(want));
});

describe('t', () => {
  // Node has no localStorage; the browser's is exercised by the e2e tests.
  const saved = new Map<string, string>();
  globalThis.localStorage ??= { getItem: (k: string) => saved.get(k) ?? null, setItem: (k: string, v: string) => void saved.set(k, v) } as unknown as Storage;
  afterEach(() => setLocale('en'));

  it('fills placeholders, formatting numbers for the language', () => {
    expect(t('history.count', { n: 12345 }, 'en')).toBe('12,345 tasks');
    expect(t('history.count', { n: 12345 }, 'zh-CN')).toBe('共 12,345 个任务');
    expect(t('row.scenes', { done: 1, total: 3 }, 'zh-CN')).toBe('1/3 个分镜');
  });

  it('leaves a placeholder without a value visible rather than dropping it', () => {
    expect(t('history.noMention', {}, 'en')).toBe('No prompt or scene mentions “{q}”.');
  });

  it('follows setLocale and remembers the pick', () => {
    setLocale('zh-CN');
    expect(getLocale()).toBe('zh-CN');
    expect(t('nav.history')).toBe('历史');
    expect(localStorage.getItem(LOCALE_STORAGE_KEY)).toBe('zh-CN');
    setLocale('en');
    expect(t('nav.history')).toBe('History');
  });

  it('puts elements into a sentence in the language’s word order', () => {
    setLocale('zh-CN');
    const parts = tx('users.keyUse', { header: 'HEADER' });
    expect(parts).toEqual(['在流水线中以 ', 'HEADER', ' 使用']);
  });

  it('knows which run-time keys exist', () => {
    expect(hasKey('job.backup')).toBe(true);
    expect(hasKey('job.something_new')).toBe(false);
  });
});

describe('preferredLanguages', () => {
  it('puts the system language the window gives before the browser languages', () => {
    expect(pickLocale(preferredLanguages('zh-CN', ['en-US']))).toBe('zh-CN');
    expect(pickLocale(preferredLanguages('en-GB', ['zh-CN']))).toBe('en');
  });

  it('follows the browser when the page runs without the window', () => {
    expect(preferredLanguages(undefined, ['zh-TW', 'en'])).toEqual(['zh-TW', 'en']);
    expect(pickLocale(preferredLanguages('', ['zh-TW']))).toBe('zh-CN');
  });
});

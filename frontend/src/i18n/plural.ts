// Plural forms in messages, in the ICU MessageFormat syntax translators know:
//
//   '{n, plural, one {# task} other {# tasks}}'
//
// The branch is picked by Intl.PluralRules for the language (English: one,
// other; Chinese has only other, so its messages need no plural at all);
// an exact branch such as =0 wins over the category. # in a branch is the
// number, formatted for the language; other {placeholders} inside a branch
// are left for t() to fill.

/** The parameters a message is filled from. */
export type PluralParams = Record<string, string | number>;

const pluralRules = new Map<string, Intl.PluralRules>();

function rulesFor(locale: string): Intl.PluralRules {
  let r = pluralRules.get(locale);
  if (!r) pluralRules.set(locale, (r = new Intl.PluralRules(locale)));
  return r;
}

/** The number a parameter holds: numbers as they are, text such as "12,345" without its grouping. */
function numberOf(v: string | number): number {
  return typeof v === 'number' ? v : Number(v.replace(/[^\d.-]/g, ''));
}

/** The index just past the brace that closes the one opened at text[open]; -1 when it is never closed. */
function closing(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}' && --depth === 0) return i + 1;
  }
  return -1;
}

/** The branches of a plural's body (" one {…} other {…}"), by selector; undefined when it is malformed. */
function branches(body: string): Map<string, string> | undefined {
  const out = new Map<string, string>();
  let i = 0;
  while (i < body.length) {
    const m = /^\s*(=\d+|zero|one|two|few|many|other)\s*\{/.exec(body.slice(i));
    if (!m) return body.slice(i).trim() === '' ? out : undefined;
    const open = i + m[0].length - 1;
    const end = closing(body, open);
    if (end < 0) return undefined;
    out.set(m[1]!, body.slice(open + 1, end - 1));
    i = end;
  }
  return out;
}

/**
 * Replaces every {name, plural, …} of text by the branch params[name] picks
 * in locale, # becoming the number as format writes it. A plural whose
 * parameter is missing, or that is malformed, is left as it is, so the
 * mistake shows.
 */
export function selectPlurals(text: string, params: PluralParams, locale: string, format: (n: number) => string): string {
  const start = /\{(\w+),\s*plural,/g;
  let out = '';
  let from = 0;
  for (let m = start.exec(text); m; m = start.exec(text)) {
    const end = closing(text, m.index);
    const v = params[m[1]!];
    const forms = end < 0 ? undefined : branches(text.slice(m.index + m[0].length, end - 1));
    if (end < 0 || v === undefined || !forms?.has('other')) continue;
    const n = numberOf(v);
    const branch = forms.get(`=${n}`) ?? forms.get(Number.isFinite(n) ? rulesFor(locale).select(n) : 'other') ?? forms.get('other')!;
    out += text.slice(from, m.index) + branch.replace(/#/g, typeof v === 'number' ? format(v) : v);
    from = end;
    start.lastIndex = end;
  }
  return out + text.slice(from);
}

/** The names of the parameters a message uses, plain or plural, each once, sorted. */
export function paramNames(text: string): string[] {
  return [...new Set([...text.matchAll(/\{(\w+)(?:\}|,\s*plural,)/g)].map((m) => m[1]!))].sort();
}

import { describe, expect, it } from 'vitest';
import { paramNames, selectPlurals } from './plural';

const fmt = (n: number) => n.toLocaleString('en');

describe('selectPlurals', () => {
  const tasks = '{n, plural, one {# task} other {# tasks}}';

  it('picks the English form by the number', () => {
    expect(selectPlurals(tasks, { n: 1 }, 'en', fmt)).toBe('1 task');
    expect(selectPlurals(tasks, { n: 0 }, 'en', fmt)).toBe('0 tasks');
    expect(selectPlurals(tasks, { n: 2 }, 'en', fmt)).toBe('2 tasks');
    expect(selectPlurals(tasks, { n: 12345 }, 'en', fmt)).toBe('12,345 tasks');
  });

  it('reads numbers already formatted as text, keeping their text', () => {
    expect(selectPlurals(tasks, { n: '1' }, 'en', fmt)).toBe('1 task');
    expect(selectPlurals(tasks, { n: '12,345' }, 'en', fmt)).toBe('12,345 tasks');
  });

  it('prefers an exact branch over the category', () => {
    const picked = '{n, plural, =0 {none} one {one task} other {# tasks}}';
    expect(selectPlurals(picked, { n: 0 }, 'en', fmt)).toBe('none');
    expect(selectPlurals(picked, { n: 1 }, 'en', fmt)).toBe('one task');
  });

  it('keeps the text around it and leaves other placeholders for t()', () => {
    const msg = 'The {n, plural, one {# task in the trash is} other {# tasks in the trash are}} deleted by {who}; {left, plural, one {# file stays} other {# files stay}}.';
    expect(selectPlurals(msg, { n: 1, left: 3 }, 'en', fmt)).toBe('The 1 task in the trash is deleted by {who}; 3 files stay.');
  });

  it('has only "other" in Chinese', () => {
    expect(selectPlurals('{n, plural, other {# 个任务}}', { n: 1 }, 'zh-CN', fmt)).toBe('1 个任务');
    expect(selectPlurals(tasks, { n: 1 }, 'zh-CN', fmt)).toBe('1 tasks');
  });

  it('leaves a plural without its parameter, or malformed, as written', () => {
    expect(selectPlurals(tasks, {}, 'en', fmt)).toBe(tasks);
    expect(selectPlurals('{n, plural, one {# task}}', { n: 2 }, 'en', fmt)).toBe('{n, plural, one {# task}}');
    expect(selectPlurals('{n, plural, one {# task', { n: 2 }, 'en', fmt)).toBe('{n, plural, one {# task');
  });
});

describe('paramNames', () => {
  it('names plain and plural parameters once each', () => {
    expect(paramNames('{found} of {missing, plural, one {# file} other {# files}} in {dir} ({found})')).toEqual(['dir', 'found', 'missing']);
  });
});

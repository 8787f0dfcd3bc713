import type { WindowBoot } from './types';

/** The id of the JSON block in which the window's index.html carries WindowBoot (Go: desktop.BootElement). */
export const BOOT_ELEMENT = 'reelvault-boot';

/**
 * The window's boot data from the page, or undefined: in a browser (serve
 * mode sends no such block), or when the block cannot be read.
 */
export function readBoot(doc: Pick<Document, 'getElementById'> | undefined): WindowBoot | undefined {
  const text = doc?.getElementById(BOOT_ELEMENT)?.textContent;
  if (!text) return undefined;
  try {
    const v = JSON.parse(text) as WindowBoot | null;
    return v && typeof v === 'object' && v.info && typeof v.info === 'object' ? v : undefined;
  } catch {
    return undefined;
  }
}

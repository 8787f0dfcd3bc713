// Fixed-row-height windowing: which rows of a long list to render.

/** The rows to render and where to put them. */
export interface RowWindow {
  /** First row to render (inclusive). */
  start: number;
  /** Row after the last to render (exclusive). */
  end: number;
  /** Offset of row start from the top of the list, in pixels. */
  offsetTop: number;
  /** Height of the whole list, in pixels. */
  totalHeight: number;
}

/**
 * Returns the rows visible in a viewport of the given height scrolled to
 * scrollTop, plus overscan rows on each side so fast scrolling does not show
 * blank space before the next frame renders.
 */
export function computeWindow(
  scrollTop: number,
  viewportHeight: number,
  rowHeight: number,
  count: number,
  overscan = 4,
): RowWindow {
  const totalHeight = count * rowHeight;
  if (count === 0 || rowHeight <= 0) return { start: 0, end: 0, offsetTop: 0, totalHeight };
  const top = Math.min(Math.max(0, scrollTop), Math.max(0, totalHeight - viewportHeight));
  const first = Math.floor(top / rowHeight);
  const last = Math.ceil((top + Math.max(0, viewportHeight)) / rowHeight);
  const start = Math.max(0, first - overscan);
  const end = Math.min(count, last + overscan);
  return { start, end, offsetTop: start * rowHeight, totalHeight };
}

/**
 * Returns the scrollTop that brings row index fully into view, changing the
 * current one as little as possible (as keyboard navigation expects).
 */
export function scrollToReveal(index: number, scrollTop: number, viewportHeight: number, rowHeight: number): number {
  const rowTop = index * rowHeight;
  const rowBottom = rowTop + rowHeight;
  if (rowTop < scrollTop) return rowTop;
  if (rowBottom > scrollTop + viewportHeight) return Math.max(0, rowBottom - viewportHeight);
  return scrollTop;
}

/** Whether to fetch the next page: the rendered window is within threshold rows of the loaded end. */
export function nearEnd(win: RowWindow, loaded: number, threshold: number): boolean {
  return loaded - win.end <= threshold;
}

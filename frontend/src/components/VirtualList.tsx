import type { ComponentChildren } from 'preact';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { computeWindow, nearEnd, scrollToReveal } from '../lib/windowing';

/**
 * A list that renders only the rows in view, so it stays smooth however many
 * rows are loaded. Arrow keys (and j/k) move the selection, Enter opens it,
 * and onNearEnd asks for more rows before the user reaches the bottom.
 */
export function VirtualList<T>(props: {
  items: T[];
  rowHeight: number;
  selected: number;
  onSelect: (index: number) => void;
  onOpen: (index: number) => void;
  onNearEnd: () => void;
  renderRow: (item: T, index: number, selected: boolean) => ComponentChildren;
  /** Called with true while the user scrolls, false shortly after it stops. */
  onScrolling?: (scrolling: boolean) => void;
  label: string;
}) {
  const { items, rowHeight, selected } = props;
  const ref = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(600);
  const idle = useRef<number>();
  // The selection as of the last key press: two presses can arrive before
  // the parent renders the first one.
  const current = useRef(selected);
  current.current = selected;

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setHeight(el.clientHeight));
    ro.observe(el);
    setHeight(el.clientHeight);
    return () => ro.disconnect();
  }, []);

  const win = computeWindow(scrollTop, height, rowHeight, items.length);

  useEffect(() => {
    if (items.length > 0 && nearEnd(win, items.length, 30)) props.onNearEnd();
    // Asks once per move of the window's end; onNearEnd is a new closure on every render.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [win.end, items.length]);

  useEffect(() => {
    const el = ref.current;
    if (!el || selected < 0) return;
    const top = scrollToReveal(selected, el.scrollTop, el.clientHeight, rowHeight);
    if (top !== el.scrollTop) el.scrollTop = top;
  }, [selected, rowHeight]);

  const onKeyDown = (e: KeyboardEvent) => {
    const page = Math.max(1, Math.floor(height / rowHeight) - 1);
    const moves: Record<string, number> = {
      ArrowDown: 1, j: 1, ArrowUp: -1, k: -1, PageDown: page, PageUp: -page,
      Home: -items.length, End: items.length,
    };
    const by = moves[e.key];
    if (by !== undefined && items.length) {
      e.preventDefault();
      const next = Math.max(0, Math.min(items.length - 1, current.current + by));
      current.current = next;
      props.onSelect(next);
    } else if (e.key === 'Enter' && current.current >= 0) {
      e.preventDefault();
      props.onOpen(current.current);
    }
  };

  const rows: ComponentChildren[] = [];
  for (let i = win.start; i < win.end; i++) {
    const item = items[i] as T;
    rows.push(props.renderRow(item, i, i === selected));
  }

  return (
    <div
      ref={ref}
      class="vlist"
      tabIndex={0}
      role="listbox"
      aria-label={props.label}
      aria-activedescendant={selected >= 0 ? `row-${selected}` : undefined}
      onKeyDown={onKeyDown}
      onScroll={(e) => {
        // Render again only when another row reaches the top: scrolling
        // within a row moves the rows the browser already has.
        const top = (e.currentTarget as HTMLDivElement).scrollTop;
        if (Math.floor(top / rowHeight) !== Math.floor(scrollTop / rowHeight)) setScrollTop(top);
        props.onScrolling?.(true);
        clearTimeout(idle.current);
        idle.current = window.setTimeout(() => props.onScrolling?.(false), 150);
      }}
    >
      <div class="vlist-inner" style={{ height: `${win.totalHeight}px` }}>
        <div class="vlist-rows" style={{ transform: `translateY(${win.offsetTop}px)` }}>
          {rows}
        </div>
      </div>
    </div>
  );
}

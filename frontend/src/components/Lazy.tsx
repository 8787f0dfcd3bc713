import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ErrorNotice } from './ErrorNotice';

/**
 * Returns a component that loads its module on first use, so the code of a
 * screen (and its libraries, like the charts) is not in the first download.
 */
export function lazyScreen<P extends object>(load: () => Promise<ComponentType<P>>): ComponentType<P> {
  let loaded: ComponentType<P> | undefined;
  let pending: Promise<ComponentType<P>> | undefined;
  return function LazyScreen(props: P) {
    const [C, setC] = useState<ComponentType<P> | undefined>(() => loaded);
    const [error, setError] = useState<unknown>();
    useEffect(() => {
      if (C) return;
      pending ??= load().then((c) => (loaded = c));
      pending.then((c) => setC(() => c), setError);
    }, [C]);
    if (error !== undefined) return <div class="screen"><ErrorNotice error={error} /></div>;
    return C ? <C {...props} /> : null;
  };
}

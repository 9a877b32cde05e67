/** Kennung patterns of the configuration: exact, or a prefix ending in `*` (`ags:05*`, `*`). */
export function matchesKennung(pattern: string, kennung: string): boolean {
  return pattern.endsWith('*') ? kennung.startsWith(pattern.slice(0, -1)) : pattern === kennung;
}

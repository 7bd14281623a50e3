/**
 * A count with its noun in the right number: `plural(1, 'ID')` is "1 ID", `plural(3, 'ID')` "3 IDs",
 * `plural(2, 'policy', 'policies')` "2 policies". Every message that counts uses it, so that no
 * summary says "1 IDs" or "1 more tenants".
 */
export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${noun(count, one, many)}`;
}

/** The noun alone, for phrases that put words between the count and it ("1 more tenant"). */
export function noun(count: number, one: string, many = `${one}s`): string {
  return count === 1 ? one : many;
}

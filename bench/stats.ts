/** Order statistics of a sample (nearest-rank). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

export const median = (values: readonly number[]) => percentile(values, 50);

/** DynamoDB capacity units by the documented formulas. */
export const Capacity = {
  /** Standard write: 1 WCU per KB (rounded up). Transactional: 2x. */
  write(bytes: number, transactional: boolean): number {
    return Math.max(1, Math.ceil(bytes / 1024)) * (transactional ? 2 : 1);
  },
  /** Read: 1 RCU per 4 KB strongly consistent, 0.5 eventually consistent, 2 transactional. */
  read(bytes: number, consistency: 'eventual' | 'strong' | 'transactional'): number {
    const units = Math.max(1, Math.ceil(bytes / 4096));
    return consistency === 'eventual' ? units / 2 : consistency === 'transactional' ? units * 2 : units;
  },
};

/** DynamoDB item size: attribute names plus values, roughly as the service counts them. */
export function itemSize(item: unknown): number {
  if (item === null || item === undefined) return 1;
  if (typeof item === 'string') return Buffer.byteLength(item);
  if (typeof item === 'number') return Math.ceil(String(item).length / 2) + 1;
  if (typeof item === 'boolean') return 1;
  if (Array.isArray(item)) return 3 + item.reduce((n: number, v) => n + 1 + itemSize(v), 0);
  if (typeof item === 'object') {
    return (
      3 +
      Object.entries(item as Record<string, unknown>).reduce(
        (n, [k, v]) => n + Buffer.byteLength(k) + itemSize(v),
        0,
      )
    );
  }
  return 0;
}

/**
 * Remembers, per item, when a reclaim of expired holds last found nothing to free, so a
 * burst of refused reserves on a sold-out item does not sweep the expiry index once per
 * refusal. Within `cooldownMs` of a fruitless sweep the reserve refuses at once; the
 * minute sweeper still runs, so availability lags expiry by at most the cooldown.
 * One gate per execution environment (module state of the handler).
 */
export class ReclaimGate {
  readonly #fruitlessAt = new Map<string, number>();

  constructor(
    private readonly cooldownMs = 5_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** True when some of these items may still have expired holds worth sweeping for. */
  allow(itemIds: readonly string[]): boolean {
    const now = this.now();
    return itemIds.some((id) => {
      const at = this.#fruitlessAt.get(id);
      return at === undefined || now - at >= this.cooldownMs;
    });
  }

  record(itemIds: readonly string[], freed: number): void {
    const now = this.now();
    for (const id of itemIds) {
      if (freed > 0) this.#fruitlessAt.delete(id);
      else this.#fruitlessAt.set(id, now);
    }
    if (this.#fruitlessAt.size > 10_000) this.#fruitlessAt.clear();
  }
}

/** The gate of this execution environment. */
export const defaultReclaimGate = new ReclaimGate();

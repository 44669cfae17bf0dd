/**
 * Runs work for the same key one at a time within this process. Two referrals of the same new
 * customer handled at the same moment would otherwise both miss the account lookup and create the
 * account twice; the queue only serialises per link, not per customer. (Several instances on a
 * shared store would need the store's help; one instance is the default deployment.)
 */
export class KeyedLock {
  private tails = new Map<string, Promise<unknown>>();

  async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const current = previous.catch(() => undefined).then(work);
    this.tails.set(key, current);
    try {
      return await current;
    } finally {
      if (this.tails.get(key) === current) this.tails.delete(key);
    }
  }
}

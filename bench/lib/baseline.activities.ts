/** A no-op activity: the cost of an activity round trip, with no I/O of its own. */
export const baselineActivities = {
  async echo(n: number): Promise<number> {
    return n;
  },
};

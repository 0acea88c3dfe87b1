// Aging buckets for receivables reports: how far past due an amount is.

export type AgingBucket = 'current' | '1-30' | '31-60' | '61-90' | '90+';

/** Youngest first. */
export const AGING_BUCKETS: readonly AgingBucket[] = ['current', '1-30', '31-60', '61-90', '90+'];

/** The bucket for a whole number of days overdue: ≤0 current, 1–30, 31–60, 61–90, 91 and more '90+'. */
export function agingBucket(daysOverdue: number): AgingBucket {
  if (!Number.isInteger(daysOverdue)) throw new RangeError(`Days overdue must be a whole number, got ${daysOverdue}`);
  if (daysOverdue <= 0) return 'current';
  if (daysOverdue <= 30) return '1-30';
  if (daysOverdue <= 60) return '31-60';
  if (daysOverdue <= 90) return '61-90';
  return '90+';
}

/** Wire shapes of the server's read API and live stream (`GET /api/...`): declared once, in the shared contract. */
import type { NullableColumn, PriceColumn } from '../../functions/_shared/contract.ts';

export {
  type AssetType,
  type BarsEvent,
  type Config,
  type EtlRun,
  type LatestRow,
  NULLABLE_COLUMNS,
  type NullableColumn,
  PRICE_COLUMNS,
  type PriceColumn,
  type RunStatus,
  SERIES_COLUMNS,
  type SeriesColumn,
} from '../../functions/_shared/contract.ts';

/**
 * One symbol's bars in columns as the dashboard holds them: `ts` is epoch seconds, ascending (uPlot's
 * x); every column has its length. Columns the dashboard did not ask for are all null (nothing to draw).
 */
export type Series = { symbol: string; ts: number[] } & Record<PriceColumn, number[]> & Record<NullableColumn, (number | null)[]>;

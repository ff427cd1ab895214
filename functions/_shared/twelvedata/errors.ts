/**
 * What went wrong talking to Twelve Data, classified by what the ETL should do about it.
 * Codes and messages follow docs/twelve-data.md, "Errors": the same code can mean different
 * things, so the kind is decided from the message where the docs say to.
 */
export type TwelveDataErrorKind =
  | 'auth' // 401/403 on the key: fail fast, tell the operator what to fix
  | 'minute-credits' // 429 "for the current minute": wait for the next minute
  | 'day-credits' // 429 "for the day": stop, the next run resumes
  | 'symbol' // unknown or plan-gated symbol: record it, load the others
  | 'no-data' // 400 "No data is available on the specified dates"
  | 'server' // 5xx, non-JSON gateway pages, bodies cut off: retry with backoff
  | 'network' // connection refused, reset, timeout: retry with backoff
  | 'bad-response' // a body we will not use (too large, wrong shape)
  | 'request'; // anything else the API refuses

export class TwelveDataError extends Error {
  override name = 'TwelveDataError';
  constructor(
    readonly kind: TwelveDataErrorKind,
    message: string,
    readonly code: number | null = null,
  ) {
    super(message);
  }

  /** The plan's per-minute limit as a minute-credits message states it ("… the current limit being 8"). */
  get creditLimit(): number | null {
    const match = /current limit being (\d+)/i.exec(this.message);
    return this.kind === 'minute-credits' && match ? Number(match[1]) : null;
  }

  get retryable(): boolean {
    return this.kind === 'server' || this.kind === 'network';
  }
}

export function classifyApiError(code: number, message: string): TwelveDataError {
  const text = message.toLowerCase();
  if (code === 429 || text.includes('run out of api credits')) {
    return new TwelveDataError(text.includes('for the day') ? 'day-credits' : 'minute-credits', message, code);
  }
  if (text.includes('no data is available')) return new TwelveDataError('no-data', message, code);
  if (text.includes('**symbol**') || text.includes('symbol not found') || /not available with your plan/.test(text)) {
    return new TwelveDataError('symbol', message, code);
  }
  if (code === 401 || text.includes('**apikey**') || text.includes("'demo' api key")) {
    return new TwelveDataError('auth', authHint(message), code);
  }
  if (code === 403) return new TwelveDataError('auth', authHint(message), code);
  if (code >= 500) return new TwelveDataError('server', message, code);
  return new TwelveDataError('request', message, code);
}

function authHint(message: string): string {
  return `Twelve Data refused the API key (${message.slice(0, 200)}). Set TWELVE_DATA_API_KEY to a valid key for your plan.`;
}

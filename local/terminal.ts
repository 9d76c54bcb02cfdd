/** Structured log levels worth a line in the `npm start` terminal. */
const NOTEWORTHY_LEVELS = new Set(['WARN', 'ERROR', 'CRITICAL', 'FATAL']);

/**
 * Whether a function's log line belongs in the terminal by default: structured lines at
 * WARN or above, and invocation failures (`errorType`). Everything else (INFO lines,
 * START/END/REPORT, Powertools' "No application metrics to publish" notice) stays in the
 * local CloudWatch Logs, the console and `--verbose`.
 */
export function isNoteworthy(message: string): boolean {
  if (!message.startsWith('{')) return false;
  try {
    const line = JSON.parse(message) as { level?: unknown; errorType?: unknown };
    return (
      NOTEWORTHY_LEVELS.has(String(line.level ?? '').toUpperCase()) || typeof line.errorType === 'string'
    );
  } catch {
    return false;
  }
}

// Imported first by bench/run.ts: Powertools reads these when the modules that create
// loggers and metrics are evaluated, which is before the CLI's own code runs.
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';

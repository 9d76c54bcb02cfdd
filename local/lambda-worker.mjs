// One Lambda execution environment: a worker thread with its own process.env that loads
// the bundled handler once (the cold start) and then serves invocations one at a time.
// What the function writes to stdout/stderr is captured per invocation, as Lambda sends
// it to CloudWatch Logs: the parent keeps it for FilterLogEvents and the console.

import { pathToFileURL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';

const { codePath, exportName, functionName, memoryLimitInMB, functionArn } = workerData;
let handlerPromise;
let currentRequestId = null;

for (const stream of ['stdout', 'stderr']) {
  process[stream].write = (chunk, encoding, callback) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    parentPort.postMessage({ type: 'log', id: currentRequestId, stream, text });
    const done = typeof encoding === 'function' ? encoding : callback;
    if (typeof done === 'function') done();
    return true;
  };
}

function loadHandler() {
  handlerPromise ??= import(pathToFileURL(codePath).href).then((module) => {
    const handler = module[exportName];
    if (typeof handler !== 'function') throw new Error(`${codePath} has no export ${exportName}`);
    return handler;
  });
  return handlerPromise;
}

parentPort.on('message', async ({ id, event, requestId, deadline }) => {
  currentRequestId = id;
  const context = {
    awsRequestId: requestId,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: functionArn,
    memoryLimitInMB: String(memoryLimitInMB),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `local/${process.pid}`,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done() {},
    fail() {},
    succeed() {},
  };
  try {
    const handler = await loadHandler();
    const result = await handler(event, context);
    parentPort.postMessage({ id, ok: true, result: result === undefined ? null : result });
  } catch (error) {
    parentPort.postMessage({
      id,
      ok: false,
      error: { name: error?.name ?? 'Error', message: String(error?.message ?? error), stack: error?.stack },
    });
  }
});

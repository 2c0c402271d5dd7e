// The Node.js driver's streaming monitors across step-downs, stops and restarts: a writer inserts continuously with
// retryable writes while the test (the parent process) changes the set, and the driver's CMAP and SDAM events are
// recorded per phase.
// Usage: node streaming-failover.mjs <connectionString>
// Protocol on stdin/stdout, one line each:
//   the script prints "ready" once every member has answered an awaited (streamed) hello and an insert succeeded;
//   "mark <phase>"  -> events from now on belong to <phase>; prints "marked <phase>";
//   "settle <phase>" -> waits until 20 inserts succeeded after the command; prints "settled <phase>";
//   "end"           -> stops the writer, prints one JSON summary line and exits 0 (1 on an unexpected error).
import { createInterface } from 'node:readline';
import { MongoClient } from 'mongodb';

const connectionString = process.argv[2];
if (!connectionString) {
  console.error('usage: node streaming-failover.mjs <connectionString>');
  process.exit(1);
}

const summary = {
  ok: false,
  inserted: 0,
  failures: [],
  poolCleared: [],
  awaitedHeartbeats: 0,
  awaitedServers: [],
  heartbeatFailures: 0,
  failedInsertAttempts: 0,
  ids: [],
  error: null,
};
let phase = 'start';
let stopping = false;
const awaitedServers = new Set();
const client = new MongoClient(connectionString, {
  serverSelectionTimeoutMS: 20_000,
  connectTimeoutMS: 5_000,
  heartbeatFrequencyMS: 500,
  serverMonitoringMode: 'stream',
  retryWrites: true,
});

client.on('connectionPoolCleared', (event) => summary.poolCleared.push({ address: event.address, phase }));
client.on('serverHeartbeatSucceeded', (event) => {
  if (event.awaited) {
    summary.awaitedHeartbeats++;
    awaitedServers.add(event.connectionId);
  }
});
client.on('serverHeartbeatFailed', () => summary.heartbeatFailures++);
client.on('commandFailed', (event) => {
  if (event.commandName === 'insert') {
    summary.failedInsertAttempts++;
  }
});

const collection = client.db('nodeStreaming').collection('items');
const settleWaiters = [];

async function writer() {
  for (let seq = 0; !stopping; seq++) {
    try {
      const result = await collection.insertOne({ seq, phase });
      summary.inserted++;
      summary.ids.push(result.insertedId.toHexString());
      for (const waiter of settleWaiters) {
        waiter.count++;
      }
      for (const waiter of settleWaiters.filter((w) => w.count >= 20)) {
        settleWaiters.splice(settleWaiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    } catch (error) {
      summary.failures.push({ phase, seq, error: `${error?.name}: ${error?.message}`, code: error?.code ?? null });
    }
    // A throttle so the writer leaves the two shared cores to the set; the protocol never relies on timing.
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

function settled() {
  return new Promise((resolve) => settleWaiters.push({ count: 0, resolve }));
}

try {
  await client.connect();
  const writing = writer();
  const serverCount = connectionString.split('//')[1].split('/')[0].split(',').length;
  const deadline = Date.now() + 30_000;
  while ((awaitedServers.size < serverCount || summary.inserted === 0) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  if (awaitedServers.size < serverCount) {
    throw new Error(`only ${awaitedServers.size} of ${serverCount} members answered an awaited hello within 30 s`);
  }

  process.stdout.write('ready\n');
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) {
    const [command, name] = line.trim().split(' ');
    if (command === 'mark') {
      phase = name;
      process.stdout.write(`marked ${name}\n`);
    } else if (command === 'settle') {
      await settled();
      process.stdout.write(`settled ${name}\n`);
    } else if (command === 'end') {
      break;
    }
  }

  stopping = true;
  await writing;
  summary.awaitedServers = [...awaitedServers].map(String);
  summary.ok = summary.failures.length === 0;
} catch (error) {
  summary.error = `${error?.name ?? 'Error'}: ${error?.message ?? String(error)}`;
} finally {
  stopping = true;
  await client.close().catch(() => {});
}

process.stdout.write(JSON.stringify(summary) + '\n');
process.exit(summary.error ? 1 : 0);

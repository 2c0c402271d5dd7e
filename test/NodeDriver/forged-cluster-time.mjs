// Forged cluster times through the Node.js driver: each must be refused at once (never hang), and the set must keep
// acknowledging majority writes afterwards.
// Usage: node forged-cluster-time.mjs <connectionString>
// Prints one JSON summary line on stdout: the error code of each forged attempt and the id of a w:majority insert
// made afterwards; exits 0 when every attempt was refused and the insert was acknowledged, 1 otherwise.
import { Binary, Long, MongoClient, ReadPreference, Timestamp } from 'mongodb';

const connectionString = process.argv[2];
if (!connectionString) {
  console.error('usage: node forged-cluster-time.mjs <connectionString>');
  process.exit(1);
}

const summary = { ok: false, afterClusterTimeCode: null, gossipedClusterTimeCode: null, secondaryGossipCode: null, insertedId: null, error: null };
const forged = new Timestamp({ t: 0xffffffff, i: 0xffffffff });
const forgedClusterTime = { clusterTime: forged, signature: { hash: new Binary(Buffer.alloc(20)), keyId: Long.fromNumber(0) } };
const client = new MongoClient(connectionString, { serverSelectionTimeoutMS: 15_000, connectTimeoutMS: 5_000, heartbeatFrequencyMS: 500 });

// The code of the server error the promise fails with, or null when it succeeds; a hang fails through maxTimeMS.
async function codeOf(promise) {
  try {
    await promise;
    return null;
  } catch (error) {
    return error?.code ?? `${error?.name}: ${error?.message}`;
  }
}

try {
  await client.connect();
  const db = client.db('nodeForged');

  summary.afterClusterTimeCode = await codeOf(db.command({
    find: 'items',
    filter: {},
    readConcern: { level: 'local', afterClusterTime: forged },
    maxTimeMS: 10_000,
  }));

  const primarySession = client.startSession({ causalConsistency: true });
  primarySession.advanceClusterTime(forgedClusterTime);
  summary.gossipedClusterTimeCode = await codeOf(db.collection('items').findOne({}, { session: primarySession, maxTimeMS: 10_000 }));
  await primarySession.endSession();

  const secondarySession = client.startSession({ causalConsistency: true });
  secondarySession.advanceClusterTime(forgedClusterTime);
  summary.secondaryGossipCode = await codeOf(db.collection('items', { readPreference: ReadPreference.SECONDARY })
    .findOne({}, { session: secondarySession, maxTimeMS: 10_000 }));
  await secondarySession.endSession();

  const inserted = await db.collection('items', { writeConcern: { w: 'majority', wtimeoutMS: 15_000 } }).insertOne({ after: 'forged' });
  summary.insertedId = inserted.insertedId.toHexString();
  summary.ok = summary.afterClusterTimeCode === 72 && summary.gossipedClusterTimeCode === 205 && summary.secondaryGossipCode === 205;
} catch (error) {
  summary.error = `${error?.name ?? 'Error'}: ${error?.message ?? String(error)}`;
} finally {
  await client.close().catch(() => {});
}

process.stdout.write(JSON.stringify(summary) + '\n');
process.exit(summary.ok ? 0 : 1);

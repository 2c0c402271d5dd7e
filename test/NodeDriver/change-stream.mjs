// The Node.js driver's collection.watch() against the emulator: insert, update (with updateLookup), delete, in order;
// then a second stream resumed after the first event's token sees the rest, and a database-level watch sees the insert.
// Usage: node change-stream.mjs <connectionString>; prints one JSON summary line and exits 0 (1 on an error).
import { MongoClient } from 'mongodb';

const connectionString = process.argv[2];
if (!connectionString) {
  console.error('usage: node change-stream.mjs <connectionString>');
  process.exit(1);
}

const client = new MongoClient(connectionString, { serverSelectionTimeoutMS: 20_000 });
const summary = { ok: false, events: [], resumed: [], databaseEvents: [], error: null };

async function take(stream, count) {
  const events = [];
  const deadline = Date.now() + 15_000;
  while (events.length < count && Date.now() < deadline) {
    const event = await stream.tryNext();
    if (event) {
      events.push(event);
    }
  }
  return events;
}

try {
  await client.connect();
  const collection = client.db('nodeChangeStreams').collection('books');
  await collection.insertOne({ _id: 0, title: 'before' });
  const stream = collection.watch([], { fullDocument: 'updateLookup', maxAwaitTimeMS: 500 });
  const databaseStream = client.db('nodeChangeStreams').watch([{ $match: { operationType: 'insert' } }], { maxAwaitTimeMS: 500 });
  await stream.tryNext();
  await databaseStream.tryNext();

  await collection.insertOne({ _id: 1, title: 'Dune' });
  await collection.updateOne({ _id: 1 }, { $set: { year: 1965 } });
  // Read the update before the delete: updateLookup returns the document as it is when the event is read.
  const events = await take(stream, 2);
  await collection.deleteOne({ _id: 1 });
  events.push(...await take(stream, 1));
  summary.events = events.map(e => ({
    operationType: e.operationType,
    id: e.documentKey._id,
    ns: `${e.ns.db}.${e.ns.coll}`,
    fullDocument: e.fullDocument ?? null,
    updatedFields: e.updateDescription?.updatedFields ?? null,
    hasToken: typeof e._id?._data === 'string',
    hasClusterTime: e.clusterTime !== undefined,
  }));

  const resumedStream = collection.watch([], { resumeAfter: events[0]._id, maxAwaitTimeMS: 500 });
  summary.resumed = (await take(resumedStream, 2)).map(e => e.operationType);
  summary.databaseEvents = (await take(databaseStream, 1)).map(e => e.documentKey._id);
  await resumedStream.close();
  await databaseStream.close();
  await stream.close();
  summary.ok = true;
} catch (error) {
  summary.error = String(error?.stack ?? error);
} finally {
  await client.close();
}

console.log(JSON.stringify(summary));
process.exit(summary.ok ? 0 : 1);

// mongosh's watch() against the emulator: a collection stream sees an insert and an update with updateLookup, and a
// stream resumed after the insert's token sees the update. Run: mongosh <connectionString> --quiet --file change-stream.js
// Prints one JSON summary line.
const books = db.getSiblingDB('mongoshChangeStreams').books;
books.insertOne({ _id: 0, title: 'before' });
const stream = books.watch([], { fullDocument: 'updateLookup', maxAwaitTimeMS: 500 });
stream.tryNext();
books.insertOne({ _id: 1, title: 'Dune' });
books.updateOne({ _id: 1 }, { $set: { year: 1965 } });

function take(cursor, count) {
  const events = [];
  const deadline = Date.now() + 15000;
  while (events.length < count && Date.now() < deadline) {
    const event = cursor.tryNext();
    if (event) {
      events.push(event);
    }
  }
  return events;
}

const events = take(stream, 2);
const resumed = books.watch([], { resumeAfter: events[0]._id, maxAwaitTimeMS: 500 });
const resumedEvents = take(resumed, 1);
print(JSON.stringify({
  operations: events.map(e => e.operationType),
  ids: events.map(e => e.documentKey._id),
  lookedUp: events[1] ? events[1].fullDocument : null,
  updatedFields: events[1] ? events[1].updateDescription.updatedFields : null,
  resumed: resumedEvents.map(e => e.operationType),
}));

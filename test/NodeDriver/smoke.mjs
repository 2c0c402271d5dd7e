// Node.js driver acceptance check for the Tabernacle MongoDB emulator (or any replica set).
// Usage: node smoke.mjs <connectionString>
// Connects with replica-set discovery, waits until the driver's topology shows a primary and a secondary, inserts a
// document, reads it back with readPreference secondary (retrying until replication delivers it, within a bound),
// prints one JSON summary line on stdout and exits 0 on success, 1 on failure.
import { readFile } from 'node:fs/promises';
import { MongoClient, ReadPreference } from 'mongodb';

const connectionString = process.argv[2];
if (!connectionString) {
  console.error('usage: node smoke.mjs <connectionString>');
  process.exit(1);
}

const boundMs = 30_000;
const summary = {
  ok: false,
  driverVersion: null,
  topologyType: null,
  setName: null,
  primary: null,
  secondaries: [],
  insertedId: null,
  readFrom: null,
  readAttempts: 0,
  error: null,
};
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(description, probe) {
  const started = Date.now();
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() - started > boundMs) throw new Error(`${description} not reached within ${boundMs} ms`);
    await sleep(50);
  }
}

const client = new MongoClient(connectionString, { serverSelectionTimeoutMS: 15_000, connectTimeoutMS: 5_000, heartbeatFrequencyMS: 500 });
let topology = null;
client.on('topologyDescriptionChanged', (event) => { topology = event.newDescription; });

try {
  const pkg = JSON.parse(await readFile(new URL('./node_modules/mongodb/package.json', import.meta.url), 'utf8'));
  summary.driverVersion = pkg.version;
  await client.connect();

  // Discovery: the driver itself must classify one member as RSPrimary and at least one as RSSecondary.
  await until('a primary and a secondary in the driver topology', () => {
    const servers = topology ? [...topology.servers.values()] : [];
    return servers.some((s) => s.type === 'RSPrimary') && servers.some((s) => s.type === 'RSSecondary');
  });
  const servers = [...topology.servers.values()];
  summary.topologyType = topology.type;
  summary.setName = topology.setName;
  summary.primary = servers.find((s) => s.type === 'RSPrimary').address;
  summary.secondaries = servers.filter((s) => s.type === 'RSSecondary').map((s) => s.address).sort();

  const marker = `node-smoke-${process.pid}-${Date.now()}`;
  const db = client.db('nodeDriverSmoke');
  const inserted = await db.collection('items').insertOne({ marker, at: new Date() });
  summary.insertedId = inserted.insertedId.toHexString();

  // readPreference secondary: retry until the document has replicated to the member the driver picks.
  const secondaryItems = client.db('nodeDriverSmoke', { readPreference: ReadPreference.SECONDARY }).collection('items');
  const found = await until('the document on a secondary', async () => {
    summary.readAttempts++;
    return secondaryItems.findOne({ marker });
  });
  if (found.marker !== marker) throw new Error('read back a different document');

  // The member that answers a secondary-preference command must call itself a secondary.
  const hello = await client.db('admin').command({ hello: 1 }, { readPreference: ReadPreference.SECONDARY });
  if (hello.secondary !== true) throw new Error(`secondary read preference reached a non-secondary: ${JSON.stringify(hello)}`);
  summary.readFrom = hello.me;
  summary.ok = true;
} catch (error) {
  summary.error = `${error?.name ?? 'Error'}: ${error?.message ?? String(error)}`;
} finally {
  await client.close().catch(() => {});
}

process.stdout.write(JSON.stringify(summary) + '\n');
process.exit(summary.ok ? 0 : 1);

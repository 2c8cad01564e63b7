// What every Node conformance driver shares: the counterpart of _witness.py. A driver runs with
// Node and the one vendor package installed for it (NODE_PATH), and makes SDK calls against the
// recording server at CONFORMANCE_URL (see tests/conformance/recorder.py).
//
// For each call, `call` first tells the recording server which call the requests that follow
// belong to, and how the same function is called through chatforge's generated client; then it
// makes the call and prints one JSON line: whether the SDK took the answer.
'use strict';

const URL = process.env.CONFORMANCE_URL;
const KEY = process.env.CONFORMANCE_KEY;
const SECRET = process.env.CONFORMANCE_SECRET;
// A small PNG image, for uploads.
const FILE = process.env.CONFORMANCE_FILE || '';

function print(line) {
  process.stdout.write(JSON.stringify(line) + '\n');
}

// The same call through the generated client: `method` is "<resource>.<method>", and `kwargs`
// its keyword arguments as JSON values ({"$file": path} for a file).
function ours(method, kwargs = {}) {
  return { call: method, kwargs };
}

async function mark(name, same) {
  const answer = await fetch(URL + '/__conformance__/mark', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ call: name, ours: same }),
  });
  await answer.arrayBuffer();
}

// Make one SDK call, `name` as the report shows it (e.g. "client.queryUsers"). `same` is the call
// through the generated client (`ours(...)`), or null where it has none. `check` looks at what
// the SDK gave back and returns what is wrong with it, or null when the SDK took the answer (an
// exception, or a rejected promise, counts as not taking it).
async function call(name, same, make, check) {
  await mark(name, same);
  let problem;
  try {
    problem = check(await make());
  } catch (error) {
    problem = `${(error && error.name) || 'Error'}: ${(error && error.message) || error}`.slice(0, 500);
  }
  print({ call: name, parsed: problem === null, problem });
}

// An SDK call the driver does not make, and why.
function skip(name, why) {
  print({ call: name, skipped: why });
}

// Every call the SDK offers, found by looking at the SDK: each must be made or skipped.
function inventory(names) {
  print({ inventory: [...new Set(names)].sort() });
}

// A way the SDK is known to differ from the spec or from the generated client (see
// _witness.py's `quirk`).
function quirk(where, what, evidence, calls = []) {
  print({ quirk: { where, what, evidence, calls } });
}

// The public methods of a class, inherited ones included, and the functions each instance
// carries of its own, as "<prefix>.<method>".
function offered(cls, instance, prefix) {
  const names = new Set();
  for (let proto = cls.prototype; proto && proto !== Object.prototype; ) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      const described = Object.getOwnPropertyDescriptor(proto, name);
      if (name !== 'constructor' && typeof described.value === 'function') names.add(name);
    }
    proto = Object.getPrototypeOf(proto);
  }
  for (const name of Object.keys(instance)) {
    if (typeof instance[name] === 'function') names.add(name);
  }
  return [...names].filter((name) => !name.startsWith('_')).map((name) => `${prefix}.${name}`);
}

module.exports = { URL, KEY, SECRET, FILE, ours, call, skip, inventory, quirk, offered };

// The client matrix's JavaScript side (issue 16): one script for every era of the official
// driver (npm neo4j-driver 1.7, 4.4, 5.x, 6.x), run by tests/test_client_matrix_js.py.
//
//     node tests/matrix/js_client.cjs NPM_FOLDER TARGET_JSON
//
// NPM_FOLDER holds node_modules/neo4j-driver (tests.matrix.npm_folder); TARGET_JSON is a
// tests.matrix.Target (uri, user, password, queries, kinds). Every scenario the driver supports
// runs against it, each on its own (a failing one does not stop the others), and one JSON object
// is printed on stdout: {"driver", "major", "agent", "protocol", "handshake", "scenarios": {NAME:
// {"ok": bool, ...}}}. Values are printed tagged so that what JSON cannot tell apart stays
// distinct: {"int": "42"} for a neo4j Integer, {"float": 1.5} for a JS number, {"bytes": [...]}
// for an Int8Array, {"$type": ...} for temporal, spatial and graph values.
//
// CommonJS, because 1.7 is; the drivers differ per major in small ways, switched on below:
// 1.7 exports the API under `.v1`, opens sessions with (mode, bookmark), closes them with a
// callback, has one lastBookmark() string, readTransaction()/writeTransaction(), no fetchSize
// (Bolt 1-3 stream with PULL_ALL) and no protocol version in its summaries; 4.4 has sessions from
// a config object, fetchSize and lastBookmark() as a list; 5.x adds executeRead/executeWrite,
// lastBookmarks(), elementId and async iteration of results; 6.x drops the 4.x names.
'use strict'

const crypto = require('crypto')
const net = require('net')
const path = require('path')

// MatrixNode keys are unique in serve's table: a random block of ten per run (a pid can recur)
const KEY = crypto.randomInt(0, 2 ** 40) * 10
const STREAM_ROWS = 20000
const FETCH_SIZE = 1000
const SCENARIO_TIMEOUT_MS = 60000

// -- a tap on the driver's sockets: the handshake's answer and the PULL messages it sends -------
// (installed before the driver is loaded; it only looks at bytes, never changes them)

const tap = { handshakes: [], pullN: 0, pullAll: 0 }
// PULL {n: 1000} as PackStream (tiny struct, tag 0x3F, one-entry map, "n", INT_16 1000), and
// PULL_ALL / PULL {n: -1}: what a driver sends to ask for a batch or for everything.
const PULL_BATCH = Buffer.from([0xB1, 0x3F, 0xA1, 0x81, 0x6E, 0xC9, 0x03, 0xE8])
const PULL_ALL = [Buffer.from([0x00, 0x02, 0xB0, 0x3F]), Buffer.from([0xB1, 0x3F, 0xA1, 0x81, 0x6E, 0xFF])]

function occurrences (buf, needle) {
  let count = 0
  for (let at = buf.indexOf(needle); at >= 0; at = buf.indexOf(needle, at + 1)) count++
  return count
}

const originalWrite = net.Socket.prototype.write
net.Socket.prototype.write = function (data, ...rest) {
  try {
    const buf = Buffer.isBuffer(data) ? data : (data instanceof Uint8Array ? Buffer.from(data) : null)
    if (buf) {
      tap.pullN += occurrences(buf, PULL_BATCH)
      for (const needle of PULL_ALL) tap.pullAll += occurrences(buf, needle)
    }
  } catch (e) { /* a tap never breaks the driver */ }
  return originalWrite.call(this, data, ...rest)
}
const originalEmit = net.Socket.prototype.emit
net.Socket.prototype.emit = function (event, ...args) {
  if (event === 'data' && !this.__matrixSeen) {
    this.__matrixSeen = true
    const b = args[0]
    if (b && b.length >= 4) {
      // [0, 0, minor, major]; 0x000001FF is the 5.7+ manifest (the driver's API says which then)
      tap.handshakes.push(b[3] === 0xFF ? 'manifest' : `${b[3]}.${b[2]}`)
    }
  }
  return originalEmit.call(this, event, ...args)
}

// -- the driver ---------------------------------------------------------------------------------

const [folder, targetJson] = process.argv.slice(2)
if (!folder || !targetJson) {
  console.error('usage: node js_client.cjs NPM_FOLDER TARGET_JSON')
  process.exit(2)
}
const target = JSON.parse(targetJson)
const Q = target.queries
const driverPath = path.join(path.resolve(folder), 'node_modules', 'neo4j-driver')
const version = require(path.join(driverPath, 'package.json')).version
const major = Number(version.split('.')[0])
const loaded = require(driverPath)
const neo4j = major === 1 ? loaded.v1 : (loaded.default || loaded)
const types = neo4j.types

const isNode = v => v instanceof types.Node
const isRel = v => v instanceof types.Relationship || v instanceof types.UnboundRelationship
const isPath = v => v instanceof types.Path

function plain (v) {
  return neo4j.isInt(v) ? v.toNumber() : v
}

function fieldsOf (typeName, v) {
  const out = { $type: typeName }
  for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = plain(x)
  out.str = v.toString()
  return out
}

function idOf (v, element, legacy) {
  // 5.x+: string element ids; before: the integer identity
  return v[element] !== undefined ? v[element] : (v[legacy] !== undefined ? describe(v[legacy]) : undefined)
}

function describe (v) {
  if (v === null || v === undefined) return null
  if (typeof v === 'boolean' || typeof v === 'string') return v
  if (neo4j.isInt(v)) return { int: v.toString() }
  if (typeof v === 'bigint') return { bigint: v.toString() }
  if (typeof v === 'number') {
    if (Object.is(v, -0)) return { float: '-0' }
    return { float: Number.isFinite(v) ? v : String(v) }
  }
  if (neo4j.isVector && neo4j.isVector(v)) { // 6.x, Bolt 6.0+
    return { $type: 'Vector', elementType: String(v.getType()), data: Array.from(v.asTypedArray(), x => typeof x === 'bigint' ? String(x) : x) }
  }
  if (neo4j.isUUID && neo4j.isUUID(v)) return { $type: 'UUID', str: v.toString() } // 6.x, Bolt 6.1+
  if (v instanceof Int8Array) return { bytes: Array.from(v) }
  if (Array.isArray(v)) return v.map(describe)
  if (neo4j.isDate(v)) return fieldsOf('Date', v)
  if (neo4j.isDateTime(v)) return fieldsOf('DateTime', v)
  if (neo4j.isLocalDateTime(v)) return fieldsOf('LocalDateTime', v)
  if (neo4j.isTime(v)) return fieldsOf('Time', v)
  if (neo4j.isLocalTime(v)) return fieldsOf('LocalTime', v)
  if (neo4j.isDuration(v)) return fieldsOf('Duration', v)
  if (neo4j.isPoint(v)) return fieldsOf('Point', v)
  if (isNode(v)) {
    return { $type: 'Node', id: idOf(v, 'elementId', 'identity'), labels: v.labels, properties: describe(v.properties) }
  }
  if (isRel(v)) {
    return {
      $type: 'Relationship',
      id: idOf(v, 'elementId', 'identity'),
      type: v.type,
      start: idOf(v, 'startNodeElementId', 'start'),
      end: idOf(v, 'endNodeElementId', 'end'),
      properties: describe(v.properties)
    }
  }
  if (isPath(v)) {
    return {
      $type: 'Path',
      nodes: [v.start, ...v.segments.map(s => s.end)].map(n => describe(n.properties)),
      relationships: v.segments.map(s => s.relationship.type)
    }
  }
  if (typeof v === 'object') {
    const out = {}
    for (const k of Object.keys(v).sort()) out[k] = describe(v[k])
    return out
  }
  return { unknown: String(v) }
}

function errorOf (e) {
  if (!e || typeof e !== 'object') return { message: String(e) }
  return { name: e.name, code: e.code === undefined ? null : e.code, message: String(e.message).slice(0, 500) }
}

// -- per-major switches -------------------------------------------------------------------------

// bolt+ssc:// (TLS, any certificate): 4.4+ take the scheme; 1.7 has only bolt:// and encrypts
// by default, trusting any certificate, as Neo4j 3.5 shipped with TLS on
const SECURE = /^[a-z]+\+ssc:\/\//.test(target.uri)

function openDriver (uri, password) {
  const config = { connectionTimeout: 10000, maxTransactionRetryTime: 5000 }
  if (major === 1) {
    uri = uri.replace(/^bolt\+ssc:\/\//, 'bolt://')
    if (!SECURE) config.encrypted = false // a plain-text server: 1.7 must be told
  }
  if (major >= 4) config.fetchSize = FETCH_SIZE
  return neo4j.driver(uri, neo4j.auth.basic(target.user, password), config)
}

function openSession (driver, { read = false, bookmarks = undefined, fetchSize = undefined } = {}) {
  if (major === 1) return driver.session(read ? neo4j.session.READ : neo4j.session.WRITE, bookmarks)
  const config = { defaultAccessMode: read ? neo4j.session.READ : neo4j.session.WRITE }
  if (bookmarks !== undefined) config.bookmarks = bookmarks
  if (fetchSize !== undefined) config.fetchSize = fetchSize
  return driver.session(config)
}

function closeSession (session) {
  if (major === 1) return new Promise(resolve => session.close(resolve))
  return session.close()
}

async function closeDriver (driver) {
  await driver.close() // 1.7: returns nothing, closes at once
}

function lastBookmarks (session) {
  const got = session.lastBookmarks ? session.lastBookmarks() : session.lastBookmark()
  return got === null || got === undefined ? [] : (Array.isArray(got) ? got : [got])
}

function managed (session, read, work) {
  if (read) return session.executeRead ? session.executeRead(work) : session.readTransaction(work)
  return session.executeWrite ? session.executeWrite(work) : session.writeTransaction(work)
}

async function withSession (driver, options, work) {
  const session = openSession(driver, options)
  try {
    return await work(session)
  } finally {
    await closeSession(session)
  }
}

async function single (runner, query, params) {
  const result = await runner.run(query, params || {})
  return result.records[0].get(0)
}

function num (v) {
  return neo4j.isInt(v) ? v.toNumber() : v
}

function withTimeout (promise, ms, what) {
  let timer
  const limit = new Promise((resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish in ${ms} ms`)), ms)
  })
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer))
}

// -- values --------------------------------------------------------------------------------------

const BOLT1_HAS_NO = ['date', 'time', 'localtime', 'datetime', 'localdatetime', 'duration', 'point', 'datetime_zone', 'point3d']

function sample (kind) {
  switch (kind) {
    case 'null': return null
    case 'boolean': return true
    case 'integer': return neo4j.int('-9223372036854775808') // beyond JS numbers: lossless Integer
    case 'float': return 1.5
    case 'string': return 'grüße 東京'
    case 'bytes': return new Int8Array([0, 1, -1, 127, -128])
    case 'list': return [neo4j.int(1), neo4j.int(2), null] // one type: LadybugDB's lists are typed
    case 'map': return { k: { nested: [true] }, n: neo4j.int(7) }
    case 'date': return new types.Date(2024, 2, 29)
    case 'time': return new types.Time(13, 37, 1, 5, 7200)
    case 'localtime': return new types.LocalTime(23, 59, 59, 999999999)
    case 'datetime': return new types.DateTime(2024, 2, 29, 13, 37, 1, 123456789, 3600)
    case 'localdatetime': return new types.LocalDateTime(1999, 12, 31, 23, 59, 59, 123456789)
    case 'duration': return new types.Duration(14, 3, 4, 5)
    case 'point': return new types.Point(neo4j.int(7203), 1.5, -2.0)
    // JS-only extras where the server keeps them (asyncbolt's): a zone id, a 3D geographic point,
    // the smallest Integer, a string long enough for a multi-chunk message
    case 'datetime_zone': return new types.DateTime(2024, 7, 1, 12, 0, 0, 0, undefined, 'Europe/Paris')
    case 'point3d': return new types.Point(neo4j.int(4979), 12.5, 55.0, 100.0)
    case 'long_string': return 'x'.repeat(70000)
    case 'vector_float32': return neo4j.vector(new Float32Array([1.5, -2, 0.25]))
    case 'vector_int64': return neo4j.vector(new BigInt64Array([-9223372036854775808n, 0n, 7n]))
    case 'uuid': return neo4j.uuid('0f8fad5b-d9cb-469f-a165-70867728950e')
    default: return undefined
  }
}

function comparable (kind, value) {
  const described = describe(value)
  if (kind === 'datetime_zone' && described && described.$type === 'DateTime') {
    // a zoned DateTime made here has no offset yet; the one from a 5.0+ (or utc-patched) server
    // has it, and prints it: the wall clock and the zone must match
    delete described.timeZoneOffsetSeconds
    delete described.str
  }
  return described
}

// -- scenarios -----------------------------------------------------------------------------------

const scenarios = {
  async values (driver) {
    const results = {}
    let ok = true
    await withSession(driver, {}, async session => {
      const extras = target.name !== 'asyncbolt' ? [] : ['datetime_zone', 'point3d', 'long_string',
        ...(major >= 6 ? ['vector_float32', 'vector_int64', 'uuid'] : [])]
      for (const kind of [...target.kinds, ...extras]) {
        const sent = sample(kind)
        if (sent === undefined) continue
        if (BOLT1_HAS_NO.includes(kind) && tap.handshakes[0] === '1.0') continue // Bolt 2 added them
        try {
          const got = await single(session, Q.echo, { x: sent })
          const equal = JSON.stringify(comparable(kind, got)) === JSON.stringify(comparable(kind, sent))
          results[kind] = { equal, got: kind === 'long_string' ? { length: got.length } : describe(got) }
          ok = ok && equal
        } catch (e) {
          results[kind] = { equal: false, error: errorOf(e) }
          ok = false
        }
      }
    })
    return { ok, kinds: results }
  },

  async graph (driver) {
    return withSession(driver, {}, async session => {
      const result = await session.run(Q.graph)
      const rows = result.records.map(r => describe(r.toObject()))
      return { ok: rows.length === 1, rows }
    })
  },

  async stream (driver) {
    // One query of 20,000 rows, consumed as it comes: async iteration (5.x+, pulls paused by
    // the driver's watermarks), else the observer API. The tap counts the PULLs that asked for it.
    const before = { pullN: tap.pullN, pullAll: tap.pullAll }
    return withSession(driver, { fetchSize: major >= 4 ? FETCH_SIZE : undefined }, async session => {
      let count = 0
      let inOrder = true
      let first = null
      let last = null
      const take = value => {
        const i = num(value)
        if (first === null) first = i
        if (i !== count + 1) inOrder = false
        last = i
        count++
      }
      const result = session.run(Q.stream, { n: neo4j.int(STREAM_ROWS) })
      let summary
      let pullsWhilePaused = null
      if (major >= 5 && result[Symbol.asyncIterator]) {
        for await (const record of result) {
          take(record.get(0))
          if (count === FETCH_SIZE) {
            // The reader stops for a while: a driver that keeps pulling regardless would ask for
            // more batches meanwhile; with back-pressure it waits (a pause, not a measurement).
            await new Promise(resolve => setTimeout(resolve, 300))
            pullsWhilePaused = tap.pullN - before.pullN
          }
        }
        summary = await result.summary()
      } else {
        summary = await new Promise((resolve, reject) => {
          result.subscribe({ onNext: r => take(r.get(0)), onCompleted: resolve, onError: reject })
        })
      }
      return {
        ok: count === STREAM_ROWS && inOrder && last === STREAM_ROWS,
        count,
        first,
        last,
        inOrder,
        pullBatches: tap.pullN - before.pullN,
        pullAll: tap.pullAll - before.pullAll,
        pullsWhilePaused,
        queryType: summary.queryType || summary.statementType || null
      }
    })
  },

  async failure (driver) {
    const out = {}
    await withSession(driver, {}, async session => {
      try {
        await session.run(Q.fail)
        out.error = null
      } catch (e) {
        out.error = errorOf(e)
      }
      out.sameSession = describe(await single(session, Q.echo, { x: 'after failure' }))
    })
    out.nextSession = describe(await withSession(driver, {}, s => single(s, Q.echo, { x: 'next session' })))
    out.ok = out.error !== null && out.sameSession === 'after failure' && out.nextSession === 'next session'
    return out
  },

  async transactions (driver) {
    const key = KEY
    const count = () => withSession(driver, {}, s => single(s, Q.count)).then(num)
    const out = { before: await count() }
    await withSession(driver, {}, async session => {
      let tx = session.beginTransaction()
      out.written = num(await single(tx, Q.write, { k: neo4j.int(key + 1) }))
      await tx.commit()
      out.afterCommit = await count()
      tx = session.beginTransaction()
      await single(tx, Q.write, { k: neo4j.int(key + 2) })
      out.inside = num(await single(tx, Q.count))
      await tx.rollback()
      out.afterRollback = await count()
      out.managedWrite = num(await managed(session, false, tx => single(tx, Q.write, { k: neo4j.int(key + 3) })))
      out.managedRead = num(await managed(session, true, tx => single(tx, Q.count)))
    })
    out.ok = out.written === key + 1 && out.afterCommit === out.before + 1 &&
      out.inside === out.before + 2 && out.afterRollback === out.before + 1 &&
      out.managedWrite === key + 3 && out.managedRead === out.before + 2
    return out
  },

  async bookmarks (driver) {
    const key = KEY + 5
    const out = {}
    await withSession(driver, {}, async session => {
      const tx = session.beginTransaction()
      await single(tx, Q.write, { k: neo4j.int(key) })
      await tx.commit()
      out.afterCommit = lastBookmarks(session)
      await session.run(Q.echo, { x: 'auto-commit' })
      out.afterAutoCommit = lastBookmarks(session)
    })
    const given = major === 1 ? out.afterAutoCommit[0] : out.afterAutoCommit
    out.second = describe(await withSession(driver, { read: true, bookmarks: given }, s =>
      managed(s, true, tx => single(tx, Q.echo, { x: 'after bookmarks' }))))
    out.ok = out.afterCommit.length > 0 && out.afterAutoCommit.length > 0 &&
      out.afterCommit.every(b => typeof b === 'string' && b.length > 0) &&
      out.second === 'after bookmarks'
    return out
  },

  async executeQuery (driver) {
    // 5.x+: the driver-level API, its bookmark manager chaining a write and the reads after it
    if (!driver.executeQuery) return { ok: true, supported: false }
    const count = async () => num((await driver.executeQuery(Q.count, {}, { routing: neo4j.routing.READ })).records[0].get(0))
    const out = { supported: true, before: await count() }
    const key = KEY + 7
    out.written = num((await driver.executeQuery(Q.write, { k: neo4j.int(key) })).records[0].get(0))
    out.after = await count()
    out.bookmarks = await driver.executeQueryBookmarkManager.getBookmarks()
    out.ok = out.written === key && out.after === out.before + 1 && out.bookmarks.length > 0
    return out
  },

  async auth () {
    const started = Date.now()
    const driver = openDriver(target.uri, target.password + '-wrong')
    const out = {}
    try {
      await withSession(driver, {}, s => s.run(Q.echo, { x: 'must not run' }))
      out.error = null
    } catch (e) {
      out.error = errorOf(e)
    } finally {
      await closeDriver(driver)
    }
    out.ms = Date.now() - started
    out.ok = out.error !== null && out.error.code === 'Neo.ClientError.Security.Unauthorized'
    return out
  },

  async verify () {
    // The driver's own connectivity check on a fresh driver: 1.7 calls driver.onCompleted with
    // the server's info, 4.4 resolves verifyConnectivity() with it, 5.x+ have getServerInfo()
    const driver = openDriver(target.uri, target.password)
    try {
      let info
      if (major === 1) {
        info = await new Promise((resolve, reject) => {
          driver.onError = reject
          driver.onCompleted = resolve // setting it starts the check
        })
      } else if (driver.getServerInfo) {
        await driver.verifyConnectivity()
        info = await driver.getServerInfo()
      } else {
        info = await driver.verifyConnectivity()
      }
      const agent = info.agent || info.version || null
      return {
        ok: agent === out.agent,
        agent,
        protocol: info.protocolVersion === undefined ? null : String(info.protocolVersion),
        address: info.address || null
      }
    } finally {
      await closeDriver(driver)
    }
  },

  async routing () {
    const hostPort = target.uri.replace(/^[a-z+]+:\/\//, '')
    const uri = (major === 1 ? 'bolt+routing://' : (SECURE ? 'neo4j+ssc://' : 'neo4j://')) + hostPort
    const driver = openDriver(uri, target.password)
    const out = { uri }
    try {
      await withSession(driver, {}, async s => {
        const result = await s.run(Q.echo, { x: 'routed write' })
        out.write = describe(result.records[0].get(0))
        out.address = result.summary.server.address // where the routing table sent the write
      })
      out.read = describe(await withSession(driver, { read: true }, s =>
        managed(s, true, tx => single(tx, Q.echo, { x: 'routed read' }))))
    } finally {
      await closeDriver(driver)
    }
    out.ok = out.write === 'routed write' && out.read === 'routed read'
    return out
  }
}

async function serverInfo (driver) {
  return withSession(driver, {}, async session => {
    const result = await session.run(Q.echo, { x: 1 })
    const server = result.summary.server
    return { agent: server.agent || server.version || null, protocol: server.protocolVersion === undefined ? null : String(server.protocolVersion) }
  })
}

const out = { driver: version, major, agent: null, protocol: null, scenarios: {} }

async function main () {
  const driver = openDriver(target.uri, target.password)
  try {
    try {
      Object.assign(out, await withTimeout(serverInfo(driver), SCENARIO_TIMEOUT_MS, 'server info'))
    } catch (e) {
      out.serverInfoError = errorOf(e)
    }
    for (const [name, run] of Object.entries(scenarios)) {
      const started = Date.now()
      try {
        out.scenarios[name] = await withTimeout(run(driver), SCENARIO_TIMEOUT_MS, name)
      } catch (e) {
        out.scenarios[name] = { ok: false, error: errorOf(e) }
      }
      out.scenarios[name].ms = Date.now() - started
    }
  } finally {
    await closeDriver(driver)
  }
  out.handshake = tap.handshakes[0] || null
  if (out.protocol === null && out.handshake !== 'manifest') out.protocol = out.handshake // 1.7
  await print(out)
}

function print (out) {
  // a pipe is written asynchronously: exit only once the line is out
  return new Promise(resolve => process.stdout.write(JSON.stringify(out) + '\n', resolve))
}

// exit explicitly: a driver may keep timers or sockets alive after close()
main().then(() => process.exit(0), async e => {
  console.error(e && e.stack ? e.stack : e)
  await print({ fatal: errorOf(e), driver: version })
  process.exit(1)
})

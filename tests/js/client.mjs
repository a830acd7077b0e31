// The official Neo4j JavaScript driver as a client of asyncbolt's server.
//
//     node tests/js/client.mjs bolt://127.0.0.1:PORT SCENARIO
//
// Prints one JSON document on stdout; tests/test_server_js.py asserts on it. Values are printed in
// a tagged form so that what JSON cannot tell apart stays distinct: {"int": "42"} for a neo4j
// Integer, {"float": 1.5} for a JS number, {"bytes": [...]} for an Int8Array, {"$type": ...} for
// temporal, spatial and graph values.

import neo4j from 'neo4j-driver'

const [uri, scenario] = process.argv.slice(2)
if (!uri || !scenario) {
  console.error('usage: node client.mjs BOLT_URI SCENARIO')
  process.exit(2)
}

const types = neo4j.types

function plain (v) {
  // temporal/spatial fields: Integers become JS numbers (they are small)
  return neo4j.isInt(v) ? v.toNumber() : v
}

function fieldsOf (typeName, v) {
  const out = { $type: typeName }
  for (const [k, x] of Object.entries(v)) out[k] = plain(x)
  out.str = v.toString()
  return out
}

export function describe (v) {
  if (v === null || v === undefined) return null
  if (typeof v === 'boolean' || typeof v === 'string') return v
  if (neo4j.isInt(v)) return { int: v.toString() }
  if (typeof v === 'bigint') return { bigint: v.toString() }
  if (typeof v === 'number') {
    if (Object.is(v, -0)) return { float: '-0' }
    return { float: Number.isFinite(v) ? v : String(v) }
  }
  if (v instanceof Int8Array) return { bytes: Array.from(v) }
  if (Array.isArray(v)) return v.map(describe)
  if (neo4j.isDate(v)) return fieldsOf('Date', v)
  if (neo4j.isDateTime(v)) return fieldsOf('DateTime', v)
  if (neo4j.isLocalDateTime(v)) return fieldsOf('LocalDateTime', v)
  if (neo4j.isTime(v)) return fieldsOf('Time', v)
  if (neo4j.isLocalTime(v)) return fieldsOf('LocalTime', v)
  if (neo4j.isDuration(v)) return fieldsOf('Duration', v)
  if (neo4j.isPoint(v)) return fieldsOf('Point', v)
  if (neo4j.isNode(v)) {
    return { $type: 'Node', labels: v.labels, properties: describe(v.properties), elementId: v.elementId }
  }
  if (neo4j.isRelationship(v)) {
    return {
      $type: 'Relationship',
      type: v.type,
      properties: describe(v.properties),
      elementId: v.elementId,
      startNodeElementId: v.startNodeElementId,
      endNodeElementId: v.endNodeElementId
    }
  }
  if (neo4j.isPath(v)) {
    return {
      $type: 'Path',
      nodes: [v.start, ...v.segments.map(s => s.end)].map(n => n.elementId),
      relationships: v.segments.map(s => s.relationship.type)
    }
  }
  if (typeof v === 'object') {
    const out = {}
    for (const [k, x] of Object.entries(v)) out[k] = describe(x)
    return out
  }
  return { unknown: String(v) }
}

function errorOf (e) {
  return { name: e.name, constructor: e.constructor.name, code: e.code, message: e.message, retriable: neo4j.isRetryableError(e) }
}

const ECHO_PARAMS = {
  null: null,
  t: true,
  f: false,
  int: neo4j.int(42),
  intMin: neo4j.int('-9223372036854775808'),
  intMax: neo4j.int('9223372036854775807'),
  small: neo4j.int(-16),
  bigint: 12345678901234567890n % 9223372036854775807n,
  float: 1.5,
  wholeFloat: 3, // a JS number is a PackStream Float, even when whole
  negZero: -0,
  inf: Infinity,
  nan: NaN,
  s: 'grüße 東京',
  empty: '',
  long: 'x'.repeat(70000),
  bytes: new Int8Array([0, 1, -1, 127, -128]),
  list: [neo4j.int(1), 'two', [3.5, null]],
  map: { k: { nested: [true] } },
  date: new types.Date(2024, 2, 29),
  localTime: new types.LocalTime(23, 59, 59, 999999999),
  time: new types.Time(13, 37, 1, 5, 7200),
  localDateTime: new types.LocalDateTime(1999, 12, 31, 23, 59, 59, 123456789),
  dateTimeOffset: new types.DateTime(2024, 2, 29, 13, 37, 1, 123456789, 3600),
  dateTimeZone: new types.DateTime(2024, 7, 1, 12, 0, 0, 0, undefined, 'Europe/Paris'),
  duration: new types.Duration(14, 3, 4, 5),
  point2d: new types.Point(7203, 1.5, -2.0),
  point3d: new types.Point(4979, 12.5, 55.0, 100.0)
}

const scenarios = {
  async types (driver) {
    const session = driver.session()
    try {
      const echo = await session.run('ECHO', ECHO_PARAMS)
      const record = echo.records[0]
      const out = { keys: record.keys, echoed: describe(record.toObject()) }
      for (const query of ['TEMPORAL', 'SPATIAL', 'GRAPH']) {
        const result = await session.run(query)
        out[query] = describe(result.records[0].toObject())
      }
      return out
    } finally {
      await session.close()
    }
  },

  async stream (driver) {
    const session = driver.session({ fetchSize: 100 })
    try {
      const values = []
      const result = session.run('STREAM 1000')
      for await (const record of result) values.push(record.get('i').toNumber())
      const summary = await result.summary()
      return { count: values.length, values, queryType: summary.queryType }
    } finally {
      await session.close()
    }
  },

  async transactions (driver) {
    const session = driver.session()
    const out = {}
    try {
      let tx = await session.beginTransaction()
      out.committed = (await tx.run('ECHO', { v: neo4j.int(1) })).records[0].get('v').toNumber()
      await tx.commit()
      out.bookmarks = session.lastBookmarks()
      tx = await session.beginTransaction()
      out.rolledBack = (await tx.run('ECHO', { v: neo4j.int(2) })).records[0].get('v').toNumber()
      await tx.rollback()
      out.managed = await session.executeWrite(async tx => {
        const result = await tx.run('ECHO', { v: 'managed' })
        return result.records[0].get('v')
      })
      return out
    } finally {
      await session.close()
    }
  },

  async failure (driver) {
    const session = driver.session()
    const out = {}
    try {
      try {
        await session.run('FAIL')
        out.error = null
      } catch (e) {
        out.error = errorOf(e)
      }
      const result = await session.run('ECHO', { after: 'failure' })
      out.after = result.records[0].get('after')
      return out
    } finally {
      await session.close()
    }
  },

  async serverInfo (driver) {
    const info = await driver.getServerInfo()
    return { address: info.address, agent: info.agent, protocolVersion: info.protocolVersion }
  }
}

async function main () {
  const run = scenarios[scenario]
  if (!run) throw new Error(`unknown scenario ${scenario}`)
  const driver = neo4j.driver(uri, neo4j.auth.basic('neo4j', 'secret'), { connectionTimeout: 10000 })
  try {
    const result = await run(driver)
    process.stdout.write(JSON.stringify(result) + '\n')
  } finally {
    await driver.close()
  }
}

main().catch(e => {
  console.error(e && e.stack ? e.stack : e)
  process.stdout.write(JSON.stringify({ fatal: errorOf(e) }) + '\n')
  process.exit(1)
})

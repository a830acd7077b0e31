-- Generated from spec/packstream.yaml, spec/bolt.yaml by `python -m codegen` (make generate).
-- Do not edit: change the spec (or codegen/templates/bolt.lua.j2) and regenerate.
--
-- A Wireshark dissector for Bolt (the Neo4j protocol), every version the spec describes:
-- the handshake (proposals, ranges, manifest v1 and capabilities), chunk framing reassembled
-- across TCP segments, every message named by the negotiated version and direction, PackStream
-- values as a tree (structures by tag and version), credentials hidden unless the preference
-- bolt.show_credentials is on, and expert info for what `asyncbolt inspect` calls a problem.
--
-- Install: copy to ~/.local/lib/wireshark/plugins/ (or run `tshark -X lua_script:bolt.lua`).
-- Preferences: bolt.port (TCP port, default 7687; any port is recognised by the handshake),
-- bolt.show_credentials (false), bolt.version (assumed when a capture has no handshake).
-- Fields: bolt.side, bolt.version, bolt.message, bolt.signature, bolt.chunk.size, bolt.field
-- ("name=JSON" per message field: the value as `asyncbolt inspect --json` writes it), and more
-- (bolt.key, bolt.value, bolt.structure, bolt.handshake.*).

local bolt = Proto("bolt", "Bolt Protocol")

-- The spec's tables ---------------------------------------------------------------------------

local VERSIONS = {
  "1.0",
  "2.0",
  "3.0",
  "4.0",
  "4.1",
  "4.2",
  "4.3",
  "4.4",
  "5.0",
  "5.1",
  "5.2",
  "5.3",
  "5.4",
  "5.5",
  "5.6",
  "5.7",
  "5.8",
  "6.0",
  "6.1",
}
local NEGOTIABLE = {
  "1.0",
  "2.0",
  "3.0",
  "4.0",
  "4.1",
  "4.2",
  "4.3",
  "4.4",
  "5.0",
  "5.1",
  "5.2",
  "5.3",
  "5.4",
  "5.6",
  "5.7",
  "5.8",
  "6.0",
  "6.1",
}
local HANDSHAKE = {
  magic = {96, 96, 176, 23},
  proposals = 4,
  range = 1,
  minor = 2,
  major = 3,
  manifest_marker = 255,
  manifest_versions = {1},
  no_version = {0, 0, 0, 0},
}
local MARKERS = {
  {name = "TINY_INT", first = 0, last = 127, kind = "tiny_int"},
  {name = "TINY_STRING", first = 128, last = 143, kind = "string", size = "nibble"},
  {name = "TINY_LIST", first = 144, last = 159, kind = "list", size = "nibble"},
  {name = "TINY_MAP", first = 160, last = 175, kind = "map", size = "nibble"},
  {name = "TINY_STRUCT", first = 176, last = 191, kind = "struct", size = "nibble"},
  {name = "NULL", first = 192, last = 192, kind = "null"},
  {name = "FLOAT_64", first = 193, last = 193, kind = "float", size = 8},
  {name = "FALSE", first = 194, last = 194, kind = "false"},
  {name = "TRUE", first = 195, last = 195, kind = "true"},
  {name = "INT_8", first = 200, last = 200, kind = "int", size = 1},
  {name = "INT_16", first = 201, last = 201, kind = "int", size = 2},
  {name = "INT_32", first = 202, last = 202, kind = "int", size = 4},
  {name = "INT_64", first = 203, last = 203, kind = "int", size = 8},
  {name = "BYTES_8", first = 204, last = 204, kind = "bytes", size = 1},
  {name = "BYTES_16", first = 205, last = 205, kind = "bytes", size = 2},
  {name = "BYTES_32", first = 206, last = 206, kind = "bytes", size = 4},
  {name = "STRING_8", first = 208, last = 208, kind = "string", size = 1},
  {name = "STRING_16", first = 209, last = 209, kind = "string", size = 2},
  {name = "STRING_32", first = 210, last = 210, kind = "string", size = 4},
  {name = "LIST_8", first = 212, last = 212, kind = "list", size = 1},
  {name = "LIST_16", first = 213, last = 213, kind = "list", size = 2},
  {name = "LIST_32", first = 214, last = 214, kind = "list", size = 4},
  {name = "MAP_8", first = 216, last = 216, kind = "map", size = 1},
  {name = "MAP_16", first = 217, last = 217, kind = "map", size = 2},
  {name = "MAP_32", first = 218, last = 218, kind = "map", size = 4},
  {name = "TINY_INT_NEGATIVE", first = 240, last = 255, kind = "tiny_int"},
  {name = "UUID", first = 224, last = 224, kind = "fixed", size = 16, versions = "6.1"},
}
local LEGACY_MARKERS = {
  {name = "STRUCT_8", first = 220, last = 220, kind = "struct", size = 1},
  {name = "STRUCT_16", first = 221, last = 221, kind = "struct", size = 2},
}
local MAX_SIZE = 2147483647
local LAYOUTS = {
  {
    name = "INIT",
    fields = {
      {name = "user_agent", type = {n = "String"}},
      {name = "auth_token", type = {n = "Map"}, keys = "auth"},
    },
  },
  {name = "ACK_FAILURE", fields = {}},
  {name = "RESET", fields = {}},
  {
    name = "RUN",
    fields = {{name = "query", type = {n = "String"}}, {name = "parameters", type = {n = "Map"}}},
  },
  {name = "DISCARD_ALL", fields = {}},
  {name = "PULL_ALL", fields = {}},
  {
    name = "SUCCESS",
    fields = {{name = "metadata", type = {n = "Map"}, keys = "success_metadata"}},
  },
  {name = "RECORD", fields = {{name = "data", type = {n = "List"}}}},
  {name = "IGNORED", fields = {}, optional = {{name = "metadata", type = {n = "Map"}}}},
  {
    name = "FAILURE",
    fields = {{name = "metadata", type = {n = "Map"}, keys = "failure_metadata"}},
  },
  {
    name = "Node",
    fields = {
      {name = "id", type = {n = "Integer"}},
      {name = "labels", type = {n = "List", item = {n = "String"}}},
      {name = "properties", type = {n = "Map"}},
    },
  },
  {
    name = "Relationship",
    fields = {
      {name = "id", type = {n = "Integer"}},
      {name = "start_node_id", type = {n = "Integer"}},
      {name = "end_node_id", type = {n = "Integer"}},
      {name = "type", type = {n = "String"}},
      {name = "properties", type = {n = "Map"}},
    },
  },
  {
    name = "UnboundRelationship",
    fields = {
      {name = "id", type = {n = "Integer"}},
      {name = "type", type = {n = "String"}},
      {name = "properties", type = {n = "Map"}},
    },
  },
  {
    name = "Path",
    fields = {
      {name = "nodes", type = {n = "List", item = {n = "Node"}}},
      {name = "relationships", type = {n = "List", item = {n = "UnboundRelationship"}}},
      {name = "indices", type = {n = "List", item = {n = "Integer"}}},
    },
  },
  {name = "Date", fields = {{name = "days", type = {n = "Integer"}}}},
  {
    name = "Time",
    fields = {
      {name = "nanoseconds", type = {n = "Integer"}},
      {name = "tz_offset_seconds", type = {n = "Integer"}},
    },
  },
  {name = "LocalTime", fields = {{name = "nanoseconds", type = {n = "Integer"}}}},
  {
    name = "LegacyDateTime",
    fields = {
      {name = "seconds", type = {n = "Integer"}},
      {name = "nanoseconds", type = {n = "Integer"}},
      {name = "tz_offset_seconds", type = {n = "Integer"}},
    },
  },
  {
    name = "LegacyDateTimeZoneId",
    fields = {
      {name = "seconds", type = {n = "Integer"}},
      {name = "nanoseconds", type = {n = "Integer"}},
      {name = "tz_id", type = {n = "String"}},
    },
  },
  {
    name = "LocalDateTime",
    fields = {
      {name = "seconds", type = {n = "Integer"}},
      {name = "nanoseconds", type = {n = "Integer"}},
    },
  },
  {
    name = "Duration",
    fields = {
      {name = "months", type = {n = "Integer"}},
      {name = "days", type = {n = "Integer"}},
      {name = "seconds", type = {n = "Integer"}},
      {name = "nanoseconds", type = {n = "Integer"}},
    },
  },
  {
    name = "Point2D",
    fields = {
      {name = "srid", type = {n = "Integer"}},
      {name = "x", type = {n = "Float"}},
      {name = "y", type = {n = "Float"}},
    },
  },
  {
    name = "Point3D",
    fields = {
      {name = "srid", type = {n = "Integer"}},
      {name = "x", type = {n = "Float"}},
      {name = "y", type = {n = "Float"}},
      {name = "z", type = {n = "Float"}},
    },
  },
  {name = "HELLO", fields = {{name = "extra", type = {n = "Map"}, keys = "hello_extra"}}},
  {name = "GOODBYE", fields = {}},
  {
    name = "RUN",
    fields = {
      {name = "query", type = {n = "String"}},
      {name = "parameters", type = {n = "Map"}},
      {name = "extra", type = {n = "Map"}, keys = "tx_extra"},
    },
  },
  {name = "BEGIN", fields = {{name = "extra", type = {n = "Map"}, keys = "tx_extra"}}},
  {name = "COMMIT", fields = {}},
  {name = "ROLLBACK", fields = {}},
  {name = "DISCARD", fields = {{name = "extra", type = {n = "Map"}, keys = "pull_extra"}}},
  {name = "PULL", fields = {{name = "extra", type = {n = "Map"}, keys = "pull_extra"}}},
  {
    name = "ROUTE",
    fields = {
      {name = "routing", type = {n = "Map"}},
      {name = "bookmarks", type = {n = "List", item = {n = "String"}}},
      {name = "db", type = {n = "String", null = true}},
    },
  },
  {
    name = "DateTime",
    fields = {
      {name = "seconds", type = {n = "Integer"}},
      {name = "nanoseconds", type = {n = "Integer"}},
      {name = "tz_offset_seconds", type = {n = "Integer"}},
    },
  },
  {
    name = "DateTimeZoneId",
    fields = {
      {name = "seconds", type = {n = "Integer"}},
      {name = "nanoseconds", type = {n = "Integer"}},
      {name = "tz_id", type = {n = "String"}},
    },
  },
  {
    name = "ROUTE",
    fields = {
      {name = "routing", type = {n = "Map"}},
      {name = "bookmarks", type = {n = "List", item = {n = "String"}}},
      {name = "extra", type = {n = "Map"}, keys = "route_extra"},
    },
  },
  {
    name = "Node",
    fields = {
      {name = "id", type = {n = "Integer", null = true}},
      {name = "labels", type = {n = "List", item = {n = "String"}}},
      {name = "properties", type = {n = "Map"}},
      {name = "element_id", type = {n = "String"}},
    },
  },
  {
    name = "Relationship",
    fields = {
      {name = "id", type = {n = "Integer", null = true}},
      {name = "start_node_id", type = {n = "Integer", null = true}},
      {name = "end_node_id", type = {n = "Integer", null = true}},
      {name = "type", type = {n = "String"}},
      {name = "properties", type = {n = "Map"}},
      {name = "element_id", type = {n = "String"}},
      {name = "start_node_element_id", type = {n = "String"}},
      {name = "end_node_element_id", type = {n = "String"}},
    },
  },
  {
    name = "UnboundRelationship",
    fields = {
      {name = "id", type = {n = "Integer", null = true}},
      {name = "type", type = {n = "String"}},
      {name = "properties", type = {n = "Map"}},
      {name = "element_id", type = {n = "String"}},
    },
  },
  {name = "LOGON", fields = {{name = "auth", type = {n = "Map"}, keys = "auth"}}},
  {name = "LOGOFF", fields = {}},
  {name = "TELEMETRY", fields = {{name = "api", type = {n = "Integer"}}}},
  {
    name = "Vector",
    fields = {{name = "type_marker", type = {n = "Bytes"}}, {name = "data", type = {n = "Bytes"}}},
  },
  {
    name = "UnsupportedType",
    fields = {
      {name = "name", type = {n = "String"}},
      {name = "minimum_protocol_major", type = {n = "Integer"}},
      {name = "minimum_protocol_minor", type = {n = "Integer"}},
      {name = "extra", type = {n = "Map"}},
    },
  },
}
local PARTS = {
  {[1] = 1, [14] = 2, [15] = 3, [16] = 4, [47] = 5, [63] = 6},
  {[112] = 7, [113] = 8, [126] = 9, [127] = 10},
  {[78] = 11, [80] = 14, [82] = 12, [114] = 13},
  {
    "TINY_INT",
    "TINY_STRING",
    "TINY_LIST",
    "TINY_MAP",
    "TINY_STRUCT",
    "NULL",
    "FLOAT_64",
    "FALSE",
    "TRUE",
    "INT_8",
    "INT_16",
    "INT_32",
    "INT_64",
    "BYTES_8",
    "BYTES_16",
    "BYTES_32",
    "STRING_8",
    "STRING_16",
    "STRING_32",
    "LIST_8",
    "LIST_16",
    "LIST_32",
    "MAP_8",
    "MAP_16",
    "MAP_32",
    "TINY_INT_NEGATIVE",
  },
  {
    [68] = 15,
    [69] = 21,
    [70] = 18,
    [78] = 11,
    [80] = 14,
    [82] = 12,
    [84] = 16,
    [88] = 22,
    [89] = 23,
    [100] = 20,
    [102] = 19,
    [114] = 13,
    [116] = 17,
  },
  {
    [1] = 24,
    [2] = 25,
    [15] = 3,
    [16] = 26,
    [17] = 27,
    [18] = 28,
    [19] = 29,
    [47] = 5,
    [63] = 6,
  },
  {
    [1] = 24,
    [2] = 25,
    [15] = 3,
    [16] = 26,
    [17] = 27,
    [18] = 28,
    [19] = 29,
    [47] = 30,
    [63] = 31,
  },
  {
    [1] = 24,
    [2] = 25,
    [15] = 3,
    [16] = 26,
    [17] = 27,
    [18] = 28,
    [19] = 29,
    [47] = 30,
    [63] = 31,
    [102] = 32,
  },
  {
    [68] = 15,
    [69] = 21,
    [73] = 33,
    [78] = 11,
    [80] = 14,
    [82] = 12,
    [84] = 16,
    [88] = 22,
    [89] = 23,
    [100] = 20,
    [105] = 34,
    [114] = 13,
    [116] = 17,
  },
  {
    [1] = 24,
    [2] = 25,
    [15] = 3,
    [16] = 26,
    [17] = 27,
    [18] = 28,
    [19] = 29,
    [47] = 30,
    [63] = 31,
    [102] = 35,
  },
  {
    [68] = 15,
    [69] = 21,
    [73] = 33,
    [78] = 36,
    [80] = 14,
    [82] = 37,
    [84] = 16,
    [88] = 22,
    [89] = 23,
    [100] = 20,
    [105] = 34,
    [114] = 38,
    [116] = 17,
  },
  {
    [1] = 24,
    [2] = 25,
    [15] = 3,
    [16] = 26,
    [17] = 27,
    [18] = 28,
    [19] = 29,
    [47] = 30,
    [63] = 31,
    [102] = 35,
    [106] = 39,
    [107] = 40,
  },
  {
    [1] = 24,
    [2] = 25,
    [15] = 3,
    [16] = 26,
    [17] = 27,
    [18] = 28,
    [19] = 29,
    [47] = 30,
    [63] = 31,
    [84] = 41,
    [102] = 35,
    [106] = 39,
    [107] = 40,
  },
  {
    [63] = 43,
    [68] = 15,
    [69] = 21,
    [73] = 33,
    [78] = 36,
    [80] = 14,
    [82] = 37,
    [84] = 16,
    [86] = 42,
    [88] = 22,
    [89] = 23,
    [100] = 20,
    [105] = 34,
    [114] = 38,
    [116] = 17,
  },
  {
    "TINY_INT",
    "TINY_STRING",
    "TINY_LIST",
    "TINY_MAP",
    "TINY_STRUCT",
    "NULL",
    "FLOAT_64",
    "FALSE",
    "TRUE",
    "INT_8",
    "INT_16",
    "INT_32",
    "INT_64",
    "BYTES_8",
    "BYTES_16",
    "BYTES_32",
    "STRING_8",
    "STRING_16",
    "STRING_32",
    "LIST_8",
    "LIST_16",
    "LIST_32",
    "MAP_8",
    "MAP_16",
    "MAP_32",
    "TINY_INT_NEGATIVE",
    "UUID",
  },
}
local PROFILES = {
  ["1.0"] = {request = 1, response = 2, structs = 3, markers = 4},
  ["2.0"] = {request = 1, response = 2, structs = 5, markers = 4},
  ["3.0"] = {request = 6, response = 2, structs = 5, markers = 4},
  ["4.0"] = {request = 7, response = 2, structs = 5, markers = 4},
  ["4.1"] = {request = 7, response = 2, structs = 5, markers = 4},
  ["4.2"] = {request = 7, response = 2, structs = 5, markers = 4},
  ["4.3"] = {request = 8, response = 2, structs = 5, markers = 4},
  ["4.3+utc"] = {request = 8, response = 2, structs = 9, markers = 4},
  ["4.4"] = {request = 10, response = 2, structs = 5, markers = 4},
  ["4.4+utc"] = {request = 10, response = 2, structs = 9, markers = 4},
  ["5.0"] = {request = 10, response = 2, structs = 11, markers = 4},
  ["5.1"] = {request = 12, response = 2, structs = 11, markers = 4},
  ["5.2"] = {request = 12, response = 2, structs = 11, markers = 4},
  ["5.3"] = {request = 12, response = 2, structs = 11, markers = 4},
  ["5.4"] = {request = 13, response = 2, structs = 11, markers = 4},
  ["5.5"] = {request = 13, response = 2, structs = 11, markers = 4},
  ["5.6"] = {request = 13, response = 2, structs = 11, markers = 4},
  ["5.7"] = {request = 13, response = 2, structs = 11, markers = 4},
  ["5.8"] = {request = 13, response = 2, structs = 11, markers = 4},
  ["6.0"] = {request = 13, response = 2, structs = 14, markers = 4},
  ["6.1"] = {request = 13, response = 2, structs = 14, markers = 15},
}
local SIG_ELSEWHERE = {
  request = {
    [1] = {{name = "INIT", versions = "1.0-2.0"}, {name = "HELLO", versions = "3.0-6.1"}},
    [2] = {{name = "GOODBYE", versions = "3.0-6.1"}},
    [14] = {{name = "ACK_FAILURE", versions = "1.0-2.0"}},
    [15] = {{name = "RESET", versions = "1.0-6.1"}},
    [16] = {{name = "RUN", versions = "1.0-6.1"}},
    [17] = {{name = "BEGIN", versions = "3.0-6.1"}},
    [18] = {{name = "COMMIT", versions = "3.0-6.1"}},
    [19] = {{name = "ROLLBACK", versions = "3.0-6.1"}},
    [47] = {{name = "DISCARD_ALL", versions = "1.0-3.0"}, {name = "DISCARD", versions = "4.0-6.1"}},
    [63] = {{name = "PULL_ALL", versions = "1.0-3.0"}, {name = "PULL", versions = "4.0-6.1"}},
    [84] = {{name = "TELEMETRY", versions = "5.4-6.1"}},
    [102] = {{name = "ROUTE", versions = "4.3-6.1"}},
    [106] = {{name = "LOGON", versions = "5.1-6.1"}},
    [107] = {{name = "LOGOFF", versions = "5.1-6.1"}},
  },
  response = {
    [112] = {{name = "SUCCESS", versions = "1.0-6.1"}},
    [113] = {{name = "RECORD", versions = "1.0-6.1"}},
    [126] = {{name = "IGNORED", versions = "1.0-6.1"}},
    [127] = {{name = "FAILURE", versions = "1.0-6.1"}},
  },
}
local STRUCT_ELSEWHERE = {
  [63] = {name = "UnsupportedType", versions = "6.0-6.1"},
  [68] = {name = "Date", versions = "2.0-6.1"},
  [69] = {name = "Duration", versions = "2.0-6.1"},
  [70] = {name = "LegacyDateTime", versions = "2.0-4.4"},
  [73] = {name = "DateTime", versions = "4.3-6.1"},
  [78] = {name = "Node", versions = "1.0-6.1"},
  [80] = {name = "Path", versions = "1.0-6.1"},
  [82] = {name = "Relationship", versions = "1.0-6.1"},
  [84] = {name = "Time", versions = "2.0-6.1"},
  [86] = {name = "Vector", versions = "6.0-6.1"},
  [88] = {name = "Point2D", versions = "2.0-6.1"},
  [89] = {name = "Point3D", versions = "2.0-6.1"},
  [100] = {name = "LocalDateTime", versions = "2.0-6.1"},
  [102] = {name = "LegacyDateTimeZoneId", versions = "2.0-4.4"},
  [105] = {name = "DateTimeZoneId", versions = "4.3-6.1"},
  [114] = {name = "UnboundRelationship", versions = "1.0-6.1"},
  [116] = {name = "LocalTime", versions = "2.0-6.1"},
}
local MAPS = {
  auth = {
    scheme = {type = {n = "String"}, range = {lo = "1.0", hi = nil}},
    principal = {type = {n = "String"}, range = {lo = "1.0", hi = nil}},
    credentials = {type = {n = "String"}, range = {lo = "1.0", hi = nil}, secret = true},
    realm = {type = {n = "String"}, range = {lo = "1.0", hi = nil}},
    parameters = {type = {n = "Map"}, range = {lo = "1.0", hi = nil}},
  },
  hello_extra = {
    user_agent = {type = {n = "String"}, range = {lo = "3.0", hi = nil}},
    scheme = {type = {n = "String"}, range = {lo = "3.0", hi = "5.0"}},
    principal = {type = {n = "String"}, range = {lo = "3.0", hi = "5.0"}},
    credentials = {type = {n = "String"}, range = {lo = "3.0", hi = "5.0"}, secret = true},
    realm = {type = {n = "String"}, range = {lo = "3.0", hi = "5.0"}},
    parameters = {type = {n = "Map"}, range = {lo = "3.0", hi = "5.0"}},
    routing = {type = {n = "Map", null = true}, range = {lo = "4.1", hi = nil}},
    patch_bolt = {type = {n = "List", item = {n = "String"}}, range = {lo = "4.3", hi = "4.4"}},
    notifications_minimum_severity = {type = {n = "String", null = true}, range = {lo = "5.2", hi = nil}},
    notifications_disabled_categories = {
      type = {n = "List", item = {n = "String"}, null = true},
      range = {lo = "5.2", hi = "5.4"},
    },
    notifications_disabled_classifications = {type = {n = "List", item = {n = "String"}, null = true}, range = {lo = "5.5", hi = nil}},
    bolt_agent = {type = {n = "Map"}, range = {lo = "5.3", hi = nil}},
  },
  tx_extra = {
    bookmarks = {type = {n = "List", item = {n = "String"}}, range = {lo = "3.0", hi = nil}},
    tx_timeout = {type = {n = "Integer"}, range = {lo = "3.0", hi = nil}},
    tx_metadata = {type = {n = "Map"}, range = {lo = "3.0", hi = nil}},
    mode = {type = {n = "String"}, range = {lo = "3.0", hi = nil}},
    db = {type = {n = "String", null = true}, range = {lo = "4.0", hi = nil}},
    imp_user = {type = {n = "String", null = true}, range = {lo = "4.4", hi = nil}},
    notifications_minimum_severity = {type = {n = "String", null = true}, range = {lo = "5.2", hi = nil}},
    notifications_disabled_categories = {
      type = {n = "List", item = {n = "String"}, null = true},
      range = {lo = "5.2", hi = "5.4"},
    },
    notifications_disabled_classifications = {type = {n = "List", item = {n = "String"}, null = true}, range = {lo = "5.5", hi = nil}},
  },
  pull_extra = {
    n = {type = {n = "Integer"}, range = {lo = "4.0", hi = nil}},
    qid = {type = {n = "Integer"}, range = {lo = "4.0", hi = nil}},
  },
  route_extra = {
    db = {type = {n = "String", null = true}, range = {lo = "4.4", hi = nil}},
    imp_user = {type = {n = "String", null = true}, range = {lo = "4.4", hi = nil}},
  },
  success_metadata = {
    server = {type = {n = "String"}, range = {lo = "1.0", hi = nil}},
    connection_id = {type = {n = "String"}, range = {lo = "3.0", hi = nil}},
    hints = {type = {n = "Map"}, range = {lo = "4.3", hi = nil}},
    patch_bolt = {type = {n = "List", item = {n = "String"}}, range = {lo = "4.3", hi = "4.4"}},
    protocol_version = {type = {n = "String"}, range = {lo = "5.7", hi = nil}},
    credentials_expired = {type = {n = "Boolean"}, range = {lo = "5.1", hi = nil}},
    advertised_address = {type = {n = "String"}, range = {lo = "5.8", hi = nil}},
    fields = {type = {n = "List", item = {n = "String"}}, range = {lo = "1.0", hi = nil}},
    result_available_after = {type = {n = "Integer"}, range = {lo = "1.0", hi = "2.0"}},
    result_consumed_after = {type = {n = "Integer"}, range = {lo = "1.0", hi = "2.0"}},
    t_first = {type = {n = "Integer"}, range = {lo = "3.0", hi = nil}},
    t_last = {type = {n = "Integer"}, range = {lo = "3.0", hi = nil}},
    qid = {type = {n = "Integer"}, range = {lo = "4.0", hi = nil}},
    has_more = {type = {n = "Boolean"}, range = {lo = "4.0", hi = nil}},
    bookmark = {type = {n = "String"}, range = {lo = "1.0", hi = nil}},
    db = {type = {n = "String"}, range = {lo = "4.0", hi = nil}},
    type = {type = {n = "String"}, range = {lo = "1.0", hi = nil}, values = {"r", "w", "rw", "s"}},
    stats = {type = {n = "Map"}, range = {lo = "1.0", hi = nil}, keys = "stats"},
    plan = {type = {n = "Map"}, range = {lo = "1.0", hi = nil}},
    profile = {type = {n = "Map"}, range = {lo = "1.0", hi = nil}},
    notifications = {type = {n = "List", item = {n = "Map"}}, range = {lo = "1.0", hi = "5.4"}},
    statuses = {type = {n = "List", item = {n = "Map"}}, range = {lo = "5.5", hi = nil}},
    rt = {type = {n = "Map"}, range = {lo = "4.3", hi = nil}, keys = "routing_table"},
  },
  stats = {
    ["nodes-created"] = {type = {n = "Integer"}, range = {lo = "1.0", hi = nil}},
    ["nodes-deleted"] = {type = {n = "Integer"}, range = {lo = "1.0", hi = nil}},
    ["relationships-created"] = {type = {n = "Integer"}, range = {lo = "1.0", hi = nil}},
    ["relationships-deleted"] = {type = {n = "Integer"}, range = {lo = "1.0", hi = nil}},
    ["properties-set"] = {type = {n = "Integer"}, range = {lo = "1.0", hi = nil}},
    ["labels-added"] = {type = {n = "Integer"}, range = {lo = "1.0", hi = nil}},
    ["labels-removed"] = {type = {n = "Integer"}, range = {lo = "1.0", hi = nil}},
    ["indexes-added"] = {type = {n = "Integer"}, range = {lo = "1.0", hi = nil}},
    ["indexes-removed"] = {type = {n = "Integer"}, range = {lo = "1.0", hi = nil}},
    ["constraints-added"] = {type = {n = "Integer"}, range = {lo = "1.0", hi = nil}},
    ["constraints-removed"] = {type = {n = "Integer"}, range = {lo = "1.0", hi = nil}},
    ["system-updates"] = {type = {n = "Integer"}, range = {lo = "1.0", hi = nil}},
    ["contains-updates"] = {type = {n = "Boolean"}, range = {lo = "1.0", hi = nil}},
    ["contains-system-updates"] = {type = {n = "Boolean"}, range = {lo = "1.0", hi = nil}},
  },
  routing_table = {
    ttl = {type = {n = "Integer"}, range = {lo = "1.0", hi = nil}},
    db = {type = {n = "String"}, range = {lo = "4.4", hi = nil}},
    servers = {
      type = {n = "List", item = {n = "Map"}},
      range = {lo = "1.0", hi = nil},
      keys = "routing_server",
    },
  },
  routing_server = {
    addresses = {type = {n = "List", item = {n = "String"}}, range = {lo = "1.0", hi = nil}},
    role = {type = {n = "String"}, range = {lo = "1.0", hi = nil}},
  },
  hints = {
    ["connection.recv_timeout_seconds"] = {type = {n = "Integer"}, range = {lo = "4.3", hi = nil}},
    ["telemetry.enabled"] = {type = {n = "Boolean"}, range = {lo = "5.4", hi = nil}},
    ["ssr.enabled"] = {type = {n = "Boolean"}, range = {lo = "5.8", hi = nil}},
  },
  failure_metadata = {
    code = {type = {n = "String"}, range = {lo = "1.0", hi = "5.6"}},
    message = {type = {n = "String"}, range = {lo = "1.0", hi = nil}},
    neo4j_code = {type = {n = "String"}, range = {lo = "5.7", hi = nil}},
    gql_status = {type = {n = "String"}, range = {lo = "5.7", hi = nil}},
    description = {type = {n = "String"}, range = {lo = "5.7", hi = nil}},
    diagnostic_record = {type = {n = "Map"}, range = {lo = "5.7", hi = nil}},
    cause = {type = {n = "Map"}, range = {lo = "5.7", hi = nil}},
  },
}
local SECRET_KEYS = {credentials = true}
local NOOP_RANGE = {lo = "4.1", hi = nil}
local PATCHES = {utc = {lo = "4.3", hi = "4.4"}}
local PATCH_KEY = "patch_bolt"
local PATCH_ASK = {message = "HELLO", field = "extra"}
local PATCH_GRANT = {message = "SUCCESS", field = "metadata"}
local SUMMARIES = {SUCCESS = true, IGNORED = true, FAILURE = true}
local MAX_DEPTH = 256

-- Derived lookups -----------------------------------------------------------------------------

local function vnum(text)
  local a, b = text:match("^(%d+)%.(%d+)$")
  return tonumber(a) * 256 + tonumber(b)
end

local KNOWN = {}
for _, v in ipairs(VERSIONS) do KNOWN[v] = true end

local function holds(range, version)
  local v = vnum(version)
  if v < vnum(range.lo) then return false end
  return range.hi == nil or v <= vnum(range.hi)
end

local BY_BYTE = {}
for _, m in ipairs(MARKERS) do
  for b = m.first, m.last do BY_BYTE[b] = m end
end
for _, m in ipairs(LEGACY_MARKERS) do
  for b = m.first, m.last do BY_BYTE[b] = {name = m.name, first = m.first, last = m.last, kind = "legacy", size = m.size} end
end
-- A profile names its request, response, structure and marker tables by their index in PARTS.
for _, p in pairs(PROFILES) do
  for _, name in ipairs({"request", "response", "structs", "markers"}) do p[name] = PARTS[p[name]] end
end
local PROFILE_MARKERS = {}
for key, p in pairs(PROFILES) do
  local set = {}
  for _, name in ipairs(p.markers) do set[name] = true end
  PROFILE_MARKERS[key] = set
end
local MAGIC = ""
for _, b in ipairs(HANDSHAKE.magic) do MAGIC = MAGIC .. string.char(b) end
local MANIFEST_VERSIONS = {}
for _, v in ipairs(HANDSHAKE.manifest_versions) do MANIFEST_VERSIONS[v] = true end

-- Fields, experts, preferences ----------------------------------------------------------------

local F = {
  side = ProtoField.string("bolt.side", "Side"),
  version = ProtoField.string("bolt.version", "Bolt version"),
  message = ProtoField.string("bolt.message", "Message"),
  signature = ProtoField.uint8("bolt.signature", "Signature", base.HEX),
  field_count = ProtoField.uint8("bolt.field_count", "Field count", base.DEC),
  chunk_size = ProtoField.uint16("bolt.chunk.size", "Chunk size", base.DEC),
  field = ProtoField.string("bolt.field", "Field (name=JSON)"),
  key = ProtoField.string("bolt.key", "Map key"),
  value = ProtoField.string("bolt.value", "Value"),
  structure = ProtoField.string("bolt.structure", "Structure"),
  marker = ProtoField.uint8("bolt.marker", "Marker", base.HEX),
  magic = ProtoField.bytes("bolt.handshake.magic", "Magic"),
  proposal = ProtoField.string("bolt.handshake.proposal", "Proposal"),
  offer = ProtoField.string("bolt.handshake.offer", "Offer"),
  answer = ProtoField.string("bolt.handshake.answer", "Answer"),
  choice = ProtoField.string("bolt.handshake.choice", "Chosen version"),
  capabilities = ProtoField.uint64("bolt.handshake.capabilities", "Capabilities", base.HEX),
}
bolt.fields = {F.side, F.version, F.message, F.signature, F.field_count, F.chunk_size, F.field,
               F.key, F.value, F.structure, F.marker, F.magic, F.proposal, F.offer, F.answer,
               F.choice, F.capabilities}

local E = {
  malformed = ProtoExpert.new("bolt.malformed", "Malformed Bolt data", expert.group.MALFORMED, expert.severity.ERROR),
  protocol = ProtoExpert.new("bolt.protocol", "Bolt protocol violation", expert.group.PROTOCOL, expert.severity.WARN),
  handshake = ProtoExpert.new("bolt.handshake.bad", "Bad Bolt handshake", expert.group.MALFORMED, expert.severity.ERROR),
  assumed = ProtoExpert.new("bolt.assumed", "Bolt version assumed", expert.group.ASSUMPTION, expert.severity.NOTE),
}
bolt.experts = {E.malformed, E.protocol, E.handshake, E.assumed}

bolt.prefs.port = Pref.uint("TCP port", 7687, "The TCP port of Bolt servers (any port is recognised by the handshake)")
bolt.prefs.show_credentials = Pref.bool("Show credentials", false, "Show the values of secret map keys (credentials) instead of ******")
bolt.prefs.version = Pref.string("Bolt version without handshake", "", "The Bolt version of a capture that lacks the handshake (empty: the newest)")

local REDACTED = "******"
-- Tree items one message adds at most, and the nesting shown (Wireshark refuses deeper trees;
-- the values below are still decoded and checked, and in bolt.field).
local MAX_TREE_ITEMS = 5000
local MAX_TREE_DEPTH = 48

-- Per-capture state ---------------------------------------------------------------------------

local convs = {}      -- tcp stream -> {st = state, client = "addr:port"}
local snaps = {}      -- frame number -> {call index -> state at that call (first pass)}
local frame_info = {} -- frame number -> Info column text parts
local last_frame, call_index = nil, 0

function bolt.init()
  convs, snaps, frame_info, last_frame, call_index = {}, {}, {}, nil, 0
end

local function copy(t)
  local out = {}
  for k, v in pairs(t) do out[k] = v end
  return out
end

-- Rendering: JSON as `asyncbolt inspect --json` writes values, text as its lines do -----------

local function json_string(s)
  return '"' .. s:gsub('[%c"\\]', function(c)
    if c == '"' then return '\\"' elseif c == "\\" then return "\\\\"
    elseif c == "\n" then return "\\n" elseif c == "\r" then return "\\r" elseif c == "\t" then return "\\t"
    else return string.format("\\u%04x", c:byte()) end
  end) .. '"'
end

local function float_text(v)
  if v ~= v then return nil, "NaN" end
  if v == math.huge then return nil, "Infinity" end
  if v == -math.huge then return nil, "-Infinity" end
  local s
  for p = 1, 17 do
    s = string.format("%." .. p .. "g", v)
    if tonumber(s) == v then break end
  end
  if not s:find("[%.eni]") then s = s .. ".0" end
  return s
end

local function hex(s)
  return (s:gsub(".", function(c) return string.format("%02x", c:byte()) end))
end

local function hex_spaced(s)
  return (hex(s):gsub("(%x%x)", "%1 "):gsub(" $", ""))
end

-- What bytes where Bolt was expected may be instead ("" if nothing recognisable).
local function foreign(head)
  if head:sub(1, 2) == "\022\003" then return " (a TLS handshake: the connection uses TLS)" end
  for _, http in ipairs({"GET ", "POST", "HTTP", "PUT ", "HEAD"}) do
    if head:sub(1, 4) == http then return " (HTTP, not Bolt)" end
  end
  return ""
end

local json_of, text_of

json_of = function(node)
  local k = node.k
  if node.secret then return json_string(REDACTED) end
  if k == "null" then return "null"
  elseif k == "bool" then return node.v and "true" or "false"
  elseif k == "int" then return node.v
  elseif k == "float" then
    local s, special = float_text(node.v)
    return s or json_string(special)
  elseif k == "str" then return json_string(node.v)
  elseif k == "bytes" then return json_string(hex(node.v))
  elseif k == "uuid" then return json_string("UUID('" .. node.v .. "')")
  elseif k == "list" then
    local parts = {}
    for i, item in ipairs(node.items) do parts[i] = json_of(item) end
    return "[" .. table.concat(parts, ", ") .. "]"
  elseif k == "map" then
    local parts = {}
    for i, key in ipairs(node.keys) do parts[i] = json_string(key) .. ": " .. json_of(node.vals[i]) end
    return "{" .. table.concat(parts, ", ") .. "}"
  elseif k == "struct" then
    local parts = {}
    if node.name then
      for i, name in ipairs(node.fnames) do parts[i] = json_string(name) .. ": " .. json_of(node.items[i]) end
      return '{"type": ' .. json_string(node.name) .. ', "fields": {' .. table.concat(parts, ", ") .. "}}"
    end
    for i, item in ipairs(node.items) do parts[i] = json_of(item) end
    return '{"type": "Structure", "tag": ' .. node.tag .. ', "fields": [' .. table.concat(parts, ", ") .. "]}"
  end
  return "null"
end

-- Text of a value for the tree's labels, at most about `budget` characters.
text_of = function(node, budget)
  budget = budget or 200
  local k = node.k
  if node.secret then return json_string(REDACTED) end
  if k == "null" then return "null"
  elseif k == "bool" then return node.v and "true" or "false"
  elseif k == "int" then return node.v
  elseif k == "float" then
    local s, special = float_text(node.v)
    return s or special
  elseif k == "str" then
    if #node.v > budget then return json_string(node.v:sub(1, budget)) .. "...(" .. #node.v .. " bytes)" end
    return json_string(node.v)
  elseif k == "bytes" then
    local shown = node.v:sub(1, 32)
    return "bytes(" .. hex(shown) .. (#node.v > 32 and ("...(" .. #node.v .. " bytes)") or "") .. ")"
  elseif k == "uuid" then return "UUID('" .. node.v .. "')"
  end
  local parts, used = {}, 0
  local function add(s)
    if used > budget then return false end
    parts[#parts + 1] = s
    used = used + #s
    return true
  end
  if k == "list" then
    for i, item in ipairs(node.items) do
      if not add(text_of(item, budget - used)) then parts[#parts + 1] = "... " .. #node.items .. " items" break end
    end
    return "[" .. table.concat(parts, ", ") .. "]"
  elseif k == "map" then
    for i, key in ipairs(node.keys) do
      if not add(key .. ": " .. text_of(node.vals[i], budget - used)) then parts[#parts + 1] = "... " .. #node.keys .. " entries" break end
    end
    return "{" .. table.concat(parts, ", ") .. "}"
  elseif k == "struct" then
    for i, item in ipairs(node.items) do
      local name = node.fnames and node.fnames[i]
      if not add((name and (name .. "=") or "") .. text_of(item, budget - used)) then parts[#parts + 1] = "..." break end
    end
    return (node.name or string.format("Structure(tag=0x%02X)", node.tag)) .. "(" .. table.concat(parts, ", ") .. ")"
  end
  return "?"
end

-- Types of the spec: does a decoded value conform? --------------------------------------------

local KIND_NAMES = {null = "Null", bool = "Boolean", int = "Integer", float = "Float", str = "String",
                    bytes = "Bytes", list = "List", map = "Map", uuid = "UUID"}

local function type_name(node)
  if node.k == "struct" then return node.name or "Structure" end
  return KIND_NAMES[node.k] or node.k
end

local function type_text(t)
  local s = t.n
  if t.item then s = s .. "<" .. type_text(t.item) .. ">" end
  if t.null then s = s .. "?" end
  return s
end

local BASE = {Null = "null", Boolean = "bool", Integer = "int", Float = "float", Bytes = "bytes",
              String = "str", List = "list", Map = "map"}

local function conforms(node, t)
  if t.n == "Any" then return true end
  if node.k == "null" and (t.null or t.n == "Null") then return true end
  local kind = BASE[t.n]
  if kind then
    if node.k ~= kind then return false end
    if t.item and kind == "list" then
      for _, item in ipairs(node.items) do if not conforms(item, t.item) then return false end end
    elseif t.item and kind == "map" then
      for _, v in ipairs(node.vals) do if not conforms(v, t.item) then return false end end
    end
    return true
  end
  return node.k == "struct" and node.name == t.n
end

-- PackStream ----------------------------------------------------------------------------------

-- ctx: {tvb, len, profile, version, redact, problems, items (tree items left), pinfo}
-- A problem that stops decoding the message: at (payload offset), reason, group, path (the
-- value being decoded, else the one given).
local function fail(ctx, at, reason, group, path)
  error({at = at, reason = reason, group = group or "malformed", path = path or ctx.path}, 0)
end

local function need(ctx, pos, n, what)
  if pos + n > ctx.len then
    fail(ctx, pos, "truncated " .. what .. ": it needs " .. (pos + n - ctx.len) .. " more byte(s) than the message holds")
  end
end

local function problem(ctx, at, path, reason, group)
  ctx.problems[#ctx.problems + 1] = {at = at, path = path, reason = reason, group = group or "protocol"}
end

local decode

local function tree_add(ctx, parent, pos, len, label, field, value)
  if parent == nil or ctx.items <= 0 then return nil end
  ctx.items = ctx.items - 1
  local r = ctx.tvb(pos, math.max(len, 0))
  local item
  if field then item = parent:add(field, r, value) else item = parent:add(r, label) end
  if label and field then item:set_text(label) end
  return item
end

local function check_keys(ctx, node, table_name, path, at)
  local keys = MAPS[table_name]
  if not keys then return end
  for i, key in ipairs(node.keys) do
    local spec = keys[key]
    local v = node.vals[i]
    if spec and holds(spec.range, ctx.version) and not v.secret then
      if not conforms(v, spec.type) then
        problem(ctx, v.s, path .. "." .. key, "must be " .. type_text(spec.type) .. ", found " .. type_name(v))
      elseif spec.values and v.k == "str" then
        local ok = false
        for _, allowed in ipairs(spec.values) do if allowed == v.v then ok = true end end
        if not ok then
          problem(ctx, v.s, path .. "." .. key, "must be one of " .. table.concat(spec.values, ", ") .. ", found " .. json_string(v.v))
        end
      end
      if spec.keys then
        if v.k == "map" then check_keys(ctx, v, spec.keys, path .. "." .. key, v.s)
        elseif v.k == "list" then
          for j, item in ipairs(v.items) do
            if item.k == "map" then check_keys(ctx, item, spec.keys, path .. "." .. key .. "[" .. (j - 1) .. "]", item.s) end
          end
        end
      end
    end
  end
end

-- Whether s is valid UTF-8 (shortest forms, no surrogates, at most U+10FFFF).
local function utf8_valid(s)
  if not s:find("[\128-\255]") then return true end
  local i, n = 1, #s
  while i <= n do
    local c = s:byte(i)
    local len, min
    if c < 0x80 then len = 1
    elseif c >= 0xC2 and c <= 0xDF then len, min = 2, 0x80
    elseif c >= 0xE0 and c <= 0xEF then len, min = 3, 0x800
    elseif c >= 0xF0 and c <= 0xF4 then len, min = 4, 0x10000
    else return false end
    if len > 1 then
      if i + len - 1 > n then return false end
      local cp = c % (2 ^ (7 - len))
      for j = i + 1, i + len - 1 do
        local b = s:byte(j)
        if b < 0x80 or b > 0xBF then return false end
        cp = cp * 64 + (b - 0x80)
      end
      if cp < min or cp > 0x10FFFF or (cp >= 0xD800 and cp <= 0xDFFF) then return false end
    end
    i = i + len
  end
  return true
end

local function read_size(ctx, pos, m)
  if m.size == "nibble" then return ctx.tvb(pos, 1):uint() % 16, pos + 1 end
  need(ctx, pos + 1, m.size, m.name .. " size")
  local n = ctx.tvb(pos + 1, m.size):uint()
  if n > MAX_SIZE then fail(ctx, pos, m.name .. " size " .. n .. " is over " .. MAX_SIZE) end
  return n, pos + 1 + m.size
end

local function struct_fields(ctx, node, n, pos, parent, path, depth, layout)
  node.items = {}
  if layout then
    node.name = layout.name
    node.fnames = {}
    if n ~= #layout.fields then
      fail(ctx, node.s, layout.name .. " structure must have " .. #layout.fields .. " fields, found " .. n, "protocol", path)
    end
  end
  for i = 1, n do
    local f = layout and layout.fields[i]
    local fname = f and f.name or ("[" .. (i - 1) .. "]")
    local item
    item, pos = decode(ctx, pos, parent, fname, path .. (f and ("." .. fname) or fname), depth + 1)
    node.items[i] = item
    if f then
      node.fnames[i] = fname
      if not conforms(item, f.type) then
        fail(ctx, item.s, "must be " .. type_text(f.type) .. ", found " .. type_name(item), "protocol", path .. "." .. fname)
      end
    end
  end
  return pos
end

-- Decode the value at pos; add it under parent labelled `label`. Returns the node and the end.
decode = function(ctx, pos, parent, label, path, depth, secret)
  ctx.path = path
  if depth > MAX_DEPTH then fail(ctx, pos, "values nested more than " .. MAX_DEPTH .. " deep") end
  need(ctx, pos, 1, "value")
  local b = ctx.tvb(pos, 1):uint()
  local m = BY_BYTE[b]
  if m == nil or (m.kind ~= "legacy" and not ctx.markers[m.name]) then
    fail(ctx, pos, string.format("reserved marker byte 0x%02X", b)
         .. ((m and m.versions) and (" (" .. m.name .. " exists in Bolt " .. m.versions .. ")") or ""))
  end
  local node = {s = pos, marker = m.name}
  local k = m.kind
  local show = parent
  if secret or depth > MAX_TREE_DEPTH then show = nil end
  local prefix = label and (label .. ": ") or ""
  if k == "tiny_int" then
    node.k, node.v = "int", tostring(b >= 128 and b - 256 or b)
    pos = pos + 1
  elseif k == "null" then node.k = "null"; pos = pos + 1
  elseif k == "true" or k == "false" then node.k, node.v = "bool", k == "true"; pos = pos + 1
  elseif k == "int" then
    need(ctx, pos + 1, m.size, m.name)
    node.k = "int"
    if m.size == 8 then node.v = tostring(ctx.tvb(pos + 1, 8):int64()) else node.v = tostring(ctx.tvb(pos + 1, m.size):int()) end
    pos = pos + 1 + m.size
  elseif k == "float" then
    need(ctx, pos + 1, m.size, m.name)
    node.k, node.v = "float", ctx.tvb(pos + 1, m.size):float()
    pos = pos + 1 + m.size
  elseif k == "fixed" then
    need(ctx, pos + 1, m.size, m.name)
    local h = hex(ctx.tvb(pos + 1, m.size):raw())
    node.k = "uuid"
    node.v = h:sub(1, 8) .. "-" .. h:sub(9, 12) .. "-" .. h:sub(13, 16) .. "-" .. h:sub(17, 20) .. "-" .. h:sub(21)
    pos = pos + 1 + m.size
  elseif k == "string" or k == "bytes" then
    local n
    n, pos = read_size(ctx, pos, m)
    need(ctx, pos, n, m.name)
    node.k = k == "string" and "str" or "bytes"
    node.v = ctx.tvb:raw(pos, n)
    if k == "string" and not utf8_valid(node.v) then fail(ctx, pos, "invalid UTF-8 in string") end
    pos = pos + n
  elseif k == "list" then
    local n
    n, pos = read_size(ctx, pos, m)
    node.k, node.items = "list", {}
    local sub = tree_add(ctx, show, node.s, 1, prefix .. "list")
    for i = 1, n do
      node.items[i], pos = decode(ctx, pos, sub, "[" .. (i - 1) .. "]", path .. "[" .. (i - 1) .. "]", depth + 1, secret)
    end
    node.e, node.item = pos, sub
    if sub then sub:set_len(pos - node.s); sub:set_text(prefix .. text_of(node)) end
    return node, pos
  elseif k == "map" then
    local n
    n, pos = read_size(ctx, pos, m)
    node.k, node.keys, node.vals = "map", {}, {}
    local sub = tree_add(ctx, show, node.s, 1, prefix .. "map")
    for i = 1, n do
      ctx.path = path
      need(ctx, pos, 1, "map key")
      local kb = ctx.tvb(pos, 1)
      local km = BY_BYTE[kb:uint()]
      if km == nil or km.kind ~= "string" then
        fail(ctx, pos, string.format("map key must be a string, found marker 0x%02X", kb:uint()))
      end
      local key
      key, pos = decode(ctx, pos, nil, nil, path, depth + 1)
      local hide = secret or (ctx.redact and SECRET_KEYS[key.v] == true)
      local kitem = tree_add(ctx, sub, key.s, pos - key.s, nil, F.key, key.v)
      local value
      value, pos = decode(ctx, pos, sub, key.v, path .. "." .. key.v, depth + 1, hide)
      if hide then
        value.secret = true
        tree_add(ctx, sub, value.s, pos - value.s, key.v .. ": " .. json_string(REDACTED) .. " (bolt.show_credentials shows it)")
      end
      if kitem then kitem:set_hidden() end
      node.keys[i], node.vals[i] = key.v, value
    end
    node.e, node.item = pos, sub
    if sub then sub:set_len(pos - node.s); sub:set_text(prefix .. text_of(node)) end
    return node, pos
  elseif k == "struct" or k == "legacy" then
    local n
    if k == "legacy" then
      n, pos = read_size(ctx, pos, m)
      problem(ctx, node.s, path, string.format("%s (legacy PackStream v1 marker 0x%02X): not part of Bolt", m.name, b))
    else
      n, pos = read_size(ctx, pos, m)
    end
    need(ctx, pos, 1, "structure tag")
    local tag = ctx.tvb(pos, 1):uint()
    if tag > 0x7F then fail(ctx, pos, string.format("structure tag 0x%02X is outside 0x00-0x7F", tag)) end
    pos = pos + 1
    node.k, node.tag = "struct", tag
    local idx = PROFILES[ctx.profile].structs[tag]
    local layout = idx and LAYOUTS[idx]
    if not layout and STRUCT_ELSEWHERE[tag] then
      local other = STRUCT_ELSEWHERE[tag]
      fail(ctx, node.s, string.format("structure %s (tag 0x%02X) is not part of Bolt %s; it exists in Bolt %s",
                                      other.name, tag, ctx.profile, other.versions), "protocol", path)
    end
    local sub = tree_add(ctx, show, node.s, 1, prefix .. "structure")
    if sub then
      sub:add(F.structure, ctx.tvb(node.s, pos - node.s), layout and layout.name or string.format("0x%02X", tag))
    end
    pos = struct_fields(ctx, node, n, pos, sub, path, depth, layout)
    node.e, node.item = pos, sub
    if sub then sub:set_len(pos - node.s); sub:set_text(prefix .. text_of(node)) end
    return node, pos
  end
  node.e = pos
  if show and ctx.items > 0 then
    node.item = tree_add(ctx, show, node.s, pos - node.s, prefix .. text_of(node), F.value, text_of(node, 1000))
  end
  return node, pos
end

-- Handshake -----------------------------------------------------------------------------------

local function proposal_at(tvb, off)
  local major = tvb(off + HANDSHAKE.major, 1):uint()
  local minor = tvb(off + HANDSHAKE.minor, 1):uint()
  local range = tvb(off + HANDSHAKE.range, 1):uint()
  local p = {major = major, minor = minor, range = range}
  if major == HANDSHAKE.manifest_marker then
    p.manifest, p.text = true, "manifest v" .. minor
  elseif major == 0 then
    p.empty, p.text = true, "(empty)"
  else
    local low = math.max(0, minor - range)
    p.text = low == minor and (major .. "." .. minor) or (major .. "." .. minor .. "-" .. major .. "." .. low)
    p.versions = {}
    for m = minor, low, -1 do p.versions[#p.versions + 1] = major .. "." .. m end
  end
  return p
end

-- A varint (7-bit groups, least significant first) at off: value (UInt64), end; nil if cut.
local function varint(tvb, off)
  local v = UInt64(0)
  local shift = 0
  while off < tvb:len() do
    local b = tvb(off, 1):uint()
    v = v:bor(UInt64(b % 128):lshift(shift))
    off = off + 1
    if b < 128 then return v, off end
    shift = shift + 7
    if shift >= 70 then return nil, off, "varint longer than 10 bytes" end
  end
  return nil, off
end

local function cap_hex(v)
  local h = v:tohex():gsub("^0+", "")
  return "0x" .. (h == "" and "0" or h)
end

local function covers(list, version)
  for _, p in ipairs(list or {}) do
    for _, v in ipairs(p.versions or {}) do if v == version then return true end end
  end
  return false
end

local function list_text(list)
  local parts = {}
  for _, p in ipairs(list or {}) do parts[#parts + 1] = p.text end
  return #parts > 0 and table.concat(parts, ", ") or "nothing"
end

local function hs_item(tree, tvb, off, len, side, summary)
  local item = tree:add(bolt, tvb(off, len))
  item:set_text("Bolt Protocol, " .. side .. " HANDSHAKE " .. summary)
  item:add(F.side, side):set_generated()
  item:add(F.message, "HANDSHAKE"):set_generated()
  return item
end

local function hs_fields(item, texts)
  for _, t in ipairs(texts) do item:add(F.field, "handshake=" .. json_string(t)):set_generated() end
end

-- The client's magic and proposals. Returns bytes used, or -missing.
local function client_opening(tvb, off, tree, st)
  if tvb:len() - off < 4 then return -(4 - (tvb:len() - off)) end
  if tvb:raw(off, 4) ~= MAGIC then
    local item = tree:add(bolt, tvb(off))
    item:set_text("Bolt Protocol, client: not a Bolt handshake")
    item:add_proto_expert_info(E.handshake, "expected the Bolt magic " .. hex_spaced(MAGIC) .. ", found "
                               .. hex_spaced(tvb:raw(off, 4)) .. foreign(tvb:raw(off, 4)))
    st.c = "dead"
    return tvb:len() - off
  end
  local total = 4 + 4 * HANDSHAKE.proposals
  if tvb:len() - off < total then return -(total - (tvb:len() - off)) end
  local proposals, texts = {}, {}
  for i = 0, HANDSHAKE.proposals - 1 do
    local p = proposal_at(tvb, off + 4 + 4 * i)
    p.off = off + 4 + 4 * i
    if not p.empty then proposals[#proposals + 1] = p; texts[#texts + 1] = p.text end
  end
  local item = hs_item(tree, tvb, off, total, "client", table.concat(texts, ", "))
  item:add(F.magic, tvb(off, 4))
  for _, p in ipairs(proposals) do item:add(F.proposal, tvb(p.off, 4), p.text) end
  hs_fields(item, texts)
  if #proposals == 0 then item:add_proto_expert_info(E.handshake, "no version proposed") end
  st.proposals = proposals
  st.c = "answer"
  return total
end

-- The server's answer (a version, a refusal or manifest v1).
local function server_answer(tvb, off, tree, st)
  if tvb:len() - off < 4 then return -(4 - (tvb:len() - off)) end
  local major = tvb(off + HANDSHAKE.major, 1):uint()
  local minor = tvb(off + HANDSHAKE.minor, 1):uint()
  local head0 = tvb(off, 1):uint() + tvb(off + 1, 1):uint()
  if major == HANDSHAKE.manifest_marker and MANIFEST_VERSIONS[minor] then
    local count, pos, err = varint(tvb, off + 4)
    if err then
      local item = hs_item(tree, tvb, off, pos - off, "server", "manifest")
      item:add_proto_expert_info(E.handshake, "manifest offers count: " .. err)
      st.s = "dead"
      return tvb:len() - off
    end
    if count == nil then return -1 end
    local n = count:tonumber()
    if n > 1024 then
      local item = hs_item(tree, tvb, off, pos - off, "server", "manifest")
      item:add_proto_expert_info(E.handshake, "manifest announces " .. n .. " offers (more than 1024)")
      st.s = "dead"
      return tvb:len() - off
    end
    local offers_end = pos + 4 * n
    if tvb:len() < offers_end + 1 then return -(offers_end + 1 - tvb:len()) end
    local caps, cend, cerr = varint(tvb, offers_end)
    if cerr then
      local item = hs_item(tree, tvb, off, cend - off, "server", "manifest")
      item:add_proto_expert_info(E.handshake, "manifest capabilities: " .. cerr)
      st.s = "dead"
      return tvb:len() - off
    end
    if caps == nil then return -1 end
    local offers, texts = {}, {}
    for i = 0, n - 1 do
      local p = proposal_at(tvb, pos + 4 * i)
      p.off = pos + 4 * i
      offers[#offers + 1] = p
      texts[#texts + 1] = p.text
    end
    local fields = {"manifest v" .. minor, "offers " .. (#texts > 0 and table.concat(texts, " ") or "none"),
                    "capabilities " .. cap_hex(caps)}
    local item = hs_item(tree, tvb, off, cend - off, "server", table.concat(fields, ", "))
    item:add(F.answer, tvb(off, 4), "manifest v" .. minor)
    for _, p in ipairs(offers) do item:add(F.offer, tvb(p.off, 4), p.text) end
    item:add(F.capabilities, tvb(offers_end, cend - offers_end), caps)
    hs_fields(item, fields)
    local asked = false
    for _, p in ipairs(st.proposals or {}) do if p.manifest then asked = true end end
    if st.proposals and not asked then
      item:add_proto_expert_info(E.handshake, "the server answered with a manifest the client did not ask for")
    end
    st.offers, st.manifest, st.s = offers, true, "messages"
    return cend - off
  end
  local no = true
  for i = 1, 4 do if tvb(off + i - 1, 1):uint() ~= HANDSHAKE.no_version[i] then no = false end end
  if no then
    local item = hs_item(tree, tvb, off, 4, "server", "no common version")
    item:add(F.answer, tvb(off, 4), "no common version")
    hs_fields(item, {"no common version"})
    st.s, st.refused = "done", true
    return 4
  end
  local version = major .. "." .. minor
  local item = hs_item(tree, tvb, off, 4, "server", version)
  item:add(F.answer, tvb(off, 4), version)
  item:add(F.version, tvb(off, 4), version)
  hs_fields(item, {version})
  if head0 ~= 0 or not KNOWN[version] then
    item:add_proto_expert_info(E.handshake, "expected a version answer 00 00 mm MM, found " .. hex_spaced(tvb:raw(off, 4))
                               .. foreign(tvb:raw(off, 4)))
    st.s = "dead"
    return tvb:len() - off
  end
  if st.proposals and not covers(st.proposals, version) then
    item:add_proto_expert_info(E.handshake, "the server chose Bolt " .. version .. ", which the client did not propose (" .. list_text(st.proposals) .. ")")
  end
  st.version, st.s = version, "messages"
  return 4
end

-- The client's choice after a manifest: 4 version bytes and a varint of capabilities.
local function client_choice(tvb, off, tree, st)
  if tvb:len() - off < 5 then return -(5 - (tvb:len() - off)) end
  local caps, cend, err = varint(tvb, off + 4)
  if err then
    local item = hs_item(tree, tvb, off, cend - off, "client", "choice")
    item:add_proto_expert_info(E.handshake, "manifest choice capabilities: " .. err)
    st.c = "dead"
    return tvb:len() - off
  end
  if caps == nil then return -1 end
  local major = tvb(off + HANDSHAKE.major, 1):uint()
  local minor = tvb(off + HANDSHAKE.minor, 1):uint()
  if major == 0 and minor == 0 then
    local fields = {"no common version", "capabilities " .. cap_hex(caps)}
    local item = hs_item(tree, tvb, off, cend - off, "client", table.concat(fields, ", "))
    hs_fields(item, fields)
    st.c, st.refused = "done", true
    return cend - off
  end
  local version = major .. "." .. minor
  local fields = {version, "capabilities " .. cap_hex(caps)}
  local item = hs_item(tree, tvb, off, cend - off, "client", table.concat(fields, ", "))
  item:add(F.choice, tvb(off, 4), version)
  item:add(F.version, tvb(off, 4), version)
  item:add(F.capabilities, tvb(off + 4, cend - off - 4), caps)
  hs_fields(item, fields)
  if not KNOWN[version] then
    item:add_proto_expert_info(E.handshake, "the client chose Bolt " .. version .. ", which the spec does not describe")
    st.c = "dead"
    return tvb:len() - off
  end
  if st.offers and not covers(st.offers, version) then
    item:add_proto_expert_info(E.handshake, "the client chose Bolt " .. version .. ", which the server did not offer (" .. list_text(st.offers) .. ")")
  end
  st.version, st.c = version, "messages"
  return cend - off
end

-- Messages ------------------------------------------------------------------------------------

local function assumed_version()
  local v = bolt.prefs.version
  if v ~= nil and KNOWN[v] then return v end
  return NEGOTIABLE[#NEGOTIABLE]
end

local function profile_of(st)
  local key = st.version
  if st.patch and PROFILES[key .. "+" .. st.patch] then key = key .. "+" .. st.patch end
  return key
end

local function find(node, key)
  if node == nil or node.k ~= "map" then return nil end
  for i, k in ipairs(node.keys) do if k == key then return node.vals[i] end end
  return nil
end

local function has_string(node, s)
  if node == nil or node.k ~= "list" then return false end
  for _, item in ipairs(node.items) do if item.k == "str" and item.v == s then return true end end
  return false
end

-- The chunks of one message (or a NOOP) at off: kind, length, chunks; or nil, -missing.
local function frame(tvb, off)
  local pos, chunks = off, {}
  local len = tvb:len()
  while true do
    if len - pos < 2 then return nil, -(pos + 2 - len) end
    local size = tvb(pos, 2):uint()
    if size == 0 then
      if #chunks == 0 then return "noop", 2, chunks end
      return "message", pos + 2 - off, chunks
    end
    if len - pos - 2 < size then return nil, -(pos + 2 + size + 2 - len) end
    chunks[#chunks + 1] = {pos, size}
    pos = pos + 2 + size
  end
end

local function dissect_message(tvb, pinfo, tree, off, total, chunks, side, st, infos)
  local item = tree:add(bolt, tvb(off, total))
  local version = st.version
  item:add(F.side, side):set_generated()
  item:add(F.version, version):set_generated()
  local ctree = item:add(tvb(off, total), #chunks .. " chunk(s)")
  for _, c in ipairs(chunks) do ctree:add(F.chunk_size, tvb(c[1], 2)) end
  ctree:add(F.chunk_size, tvb(off + total - 2, 2)):append_text(" (end of message)")
  local ptvb
  if #chunks == 1 then
    ptvb = tvb(chunks[1][1] + 2, chunks[1][2]):tvb()
  else
    local ba = ByteArray.new()
    for _, c in ipairs(chunks) do ba:append(tvb(c[1] + 2, c[2]):bytes()) end
    ptvb = ba:tvb("Bolt message")
  end
  local profile = profile_of(st)
  local ctx = {tvb = ptvb, len = ptvb:len(), profile = profile, version = version, problems = {},
               items = MAX_TREE_ITEMS, markers = PROFILE_MARKERS[profile],
               redact = side == "client" and not bolt.prefs.show_credentials}
  local direction = side == "client" and "request" or "response"
  local name, layout = "RAW", nil
  local result = {}
  local ok, err = pcall(function()
    need(ctx, 0, 2, "message header")
    local marker = ptvb(0, 1):uint()
    local m = BY_BYTE[marker]
    if m == nil or m.kind ~= "struct" or m.size ~= "nibble" then
      fail(ctx, 0, string.format("a %s message must be a structure, found marker 0x%02X", direction, marker))
    end
    local sig = ptvb(1, 1):uint()
    item:add(F.signature, ptvb(1, 1))
    local idx = PROFILES[profile][direction][sig]
    if idx == nil then
      local hint = ""
      for _, other in ipairs(SIG_ELSEWHERE[direction][sig] or {}) do
        hint = " (" .. other.name .. " exists in Bolt " .. other.versions .. ")"
      end
      local theirs = side == "client" and "response" or "request"
      if hint == "" and SIG_ELSEWHERE[theirs][sig] then
        hint = string.format(" (0x%02X is the %s %s; wrong direction?)", sig, theirs, SIG_ELSEWHERE[theirs][sig][1].name)
      end
      fail(ctx, 1, string.format("unknown %s signature 0x%02X in Bolt %s", direction, sig, version) .. hint, "protocol")
    end
    layout = LAYOUTS[idx]
    name = layout.name
    local n = marker % 16
    local required = #layout.fields
    local optional = layout.optional and #layout.optional or 0
    item:add(F.field_count, ptvb(0, 1), n)
    if n < required or n > required + optional then
      local expected = optional == 0 and tostring(required) or (required .. " to " .. (required + optional))
      fail(ctx, 0, name .. " must have " .. expected .. " fields, found " .. n, "protocol")
    end
    local pos = 2
    for i = 1, n do
      local f = layout.fields[i] or layout.optional[i - required]
      local value
      value, pos = decode(ctx, pos, item, f.name, name .. "." .. f.name, 1)
      ctx.path = nil
      local fitem = value.item or item
      fitem:add(F.field, f.name .. "=" .. json_of(value)):set_generated()
      result[f.name] = value
      if not conforms(value, f.type) then
        fail(ctx, value.s, "must be " .. type_text(f.type) .. ", found " .. type_name(value), "protocol", name .. "." .. f.name)
      end
      if f.keys then
        if value.k == "map" then check_keys(ctx, value, f.keys, name .. "." .. f.name, value.s) end
      end
    end
    if pos < ctx.len then
      fail(ctx, pos, (ctx.len - pos) .. " byte(s) left over after the message")
    end
  end)
  item:add(F.message, name):set_generated()
  item:set_text("Bolt Protocol, " .. side .. " " .. name .. " (Bolt " .. version .. ")")
  infos[#infos + 1] = name
  local experts = ctx.problems
  if not ok then
    if type(err) == "table" then
      experts[#experts + 1] = {at = err.at, path = err.path or name, reason = err.reason, group = err.group}
    else
      experts[#experts + 1] = {at = 0, path = name, reason = "dissector error: " .. tostring(err), group = "malformed"}
    end
  end
  for _, p in ipairs(experts) do
    local at = math.min(p.at or 0, math.max(ctx.len - 1, 0))
    local range = ctx.len > 0 and ptvb(at, 1) or tvb(off, total)
    local path = #p.path > 80 and (p.path:sub(1, 40) .. "..." .. p.path:sub(-30)) or p.path
    local text = path .. ": " .. p.reason .. " (message byte " .. p.at .. ")"
    item:add_tvb_expert_info(p.group == "malformed" and E.malformed or E.protocol, range, text)
  end
  -- Patches (utc): a request field's map asks for them by PATCH_KEY, the success answering it
  -- grants those it echoes; both sides then decode with the patched profile.
  if ok then
    for patch, range in pairs(PATCHES) do
      if holds(range, version) then
        if side == "client" and name == PATCH_ASK.message then
          st.asked = has_string(find(result[PATCH_ASK.field], PATCH_KEY), patch)
          st.pending_ask = true
        elseif side == "server" and st.pending_ask and SUMMARIES[name] then
          st.pending_ask = false
          if name == PATCH_GRANT.message and has_string(find(result[PATCH_GRANT.field], PATCH_KEY), patch) then
            st.patch = patch
          end
        end
      end
    end
  end
end

local function dissect_noop(tvb, tree, off, side, st, infos)
  local item = tree:add(bolt, tvb(off, 2))
  item:set_text("Bolt Protocol, " .. side .. " NOOP")
  item:add(F.side, side):set_generated()
  item:add(F.version, st.version):set_generated()
  item:add(F.chunk_size, tvb(off, 2))
  item:add(F.message, "NOOP"):set_generated()
  infos[#infos + 1] = "NOOP"
  if not holds(NOOP_RANGE, st.version) then
    item:add_proto_expert_info(E.protocol, "NOOP chunks (00 00 between messages) exist from Bolt " .. NOOP_RANGE.lo .. ", not in " .. st.version)
  end
end

-- The dissector -------------------------------------------------------------------------------

-- A connection's state, by its two endpoints (tcp.stream is not in every pass's tree). A new
-- client magic on a pair already seen (the ports reused) starts a new connection.
local function conversation(pinfo, tvb)
  local a = tostring(pinfo.src) .. ":" .. pinfo.src_port
  local b = tostring(pinfo.dst) .. ":" .. pinfo.dst_port
  local key = a < b and (a .. "-" .. b) or (b .. "-" .. a)
  local conv = convs[key]
  if conv == nil or (not pinfo.visited and conv.st.c ~= "handshake" and conv.client == a
                     and pinfo.number ~= conv.frame and tvb:len() >= 20 and tvb:raw(0, 4) == MAGIC) then
    conv = {st = {c = "handshake", s = "handshake"}, frame = pinfo.number}
    convs[key] = conv
  end
  return conv
end

function bolt.dissector(tvb, pinfo, tree)
  local len = tvb:len()
  if len == 0 then return 0 end
  if pinfo.number ~= last_frame then last_frame, call_index = pinfo.number, 0 end
  call_index = call_index + 1
  local conv = conversation(pinfo, tvb)
  local me = tostring(pinfo.src) .. ":" .. pinfo.src_port
  if conv.client == nil then
    if tvb:raw(0, math.min(4, len)) == MAGIC then conv.client = me
    elseif pinfo.dst_port == bolt.prefs.port then conv.client = me
    elseif pinfo.src_port == bolt.prefs.port then conv.client = tostring(pinfo.dst) .. ":" .. pinfo.dst_port
    else conv.client = me end
  end
  local side = conv.client == me and "client" or "server"
  local st
  snaps[pinfo.number] = snaps[pinfo.number] or {}
  if not pinfo.visited then
    snaps[pinfo.number][call_index] = copy(conv.st)
    st = conv.st
  else
    st = copy(snaps[pinfo.number][call_index] or conv.st)
  end
  pinfo.cols.protocol = "Bolt"
  if call_index == 1 then frame_info[pinfo.number] = nil end
  local infos = {}
  local off = 0
  while off < len do
    local used
    if side == "client" then
      if st.c == "handshake" then
        if bolt.prefs.version ~= "" and KNOWN[bolt.prefs.version] and tvb:raw(off, math.min(4, len - off)) ~= MAGIC:sub(1, math.min(4, len - off)) then
          st.c, st.version, st.no_handshake = "messages", st.version or bolt.prefs.version, true
        else
          used = client_opening(tvb, off, tree, st)
          if used > 0 then infos[#infos + 1] = "HANDSHAKE" end
        end
      elseif st.c == "answer" then
        -- What follows the proposals depends on the server's answer (seen before, on the wire).
        if st.manifest then st.c = "choice"
        elseif st.refused then st.c = "done"
        elseif st.version then st.c = "messages"
        else
          local manifest_asked = false
          for _, p in ipairs(st.proposals or {}) do if p.manifest then manifest_asked = true end end
          if manifest_asked and len - off >= 4 and tvb(off, 1):uint() == 0 and tvb(off + 1, 1):uint() == 0
              and KNOWN[tvb(off + HANDSHAKE.major, 1):uint() .. "." .. tvb(off + HANDSHAKE.minor, 1):uint()] then
            st.c = "choice"
          else
            local best = nil
            for _, p in ipairs(st.proposals or {}) do
              for _, v in ipairs(p.versions or {}) do if KNOWN[v] and (best == nil or vnum(v) > vnum(best)) then best = v end end
            end
            st.version = best or assumed_version()
            st.c = "messages"
            local note = tree:add(bolt, tvb(off, 0))
            note:set_text("Bolt Protocol: the server's handshake answer is not in the capture")
            note:add_proto_expert_info(E.assumed, "no handshake answer: assuming Bolt " .. st.version)
          end
        end
      elseif st.c == "choice" then
        used = client_choice(tvb, off, tree, st)
        if used > 0 then infos[#infos + 1] = "HANDSHAKE" end
      elseif st.c == "messages" then
        if st.version == nil then st.version = assumed_version() end
      else
        local item = tree:add(bolt, tvb(off))
        item:set_text("Bolt Protocol, client: data not decoded (" .. st.c .. ")")
        if st.c == "done" then item:add_proto_expert_info(E.protocol, (len - off) .. " bytes after the handshake refused every version") end
        used = len - off
      end
    else
      if st.s == "handshake" then
        if st.no_handshake or (st.c == "handshake" and bolt.prefs.version ~= "" and KNOWN[bolt.prefs.version]) then
          st.s, st.version = "messages", st.version or bolt.prefs.version
        else
          used = server_answer(tvb, off, tree, st)
          if used > 0 then infos[#infos + 1] = "HANDSHAKE" end
        end
      elseif st.s == "messages" then
        if st.version == nil then st.version = assumed_version() end
      else
        local item = tree:add(bolt, tvb(off))
        item:set_text("Bolt Protocol, server: data not decoded (" .. st.s .. ")")
        if st.s == "done" then item:add_proto_expert_info(E.protocol, (len - off) .. " bytes after refusing every version") end
        used = len - off
      end
    end
    local phase = side == "client" and st.c or st.s
    if used == nil and phase == "messages" then
      local kind, total, chunks = frame(tvb, off)
      if kind == nil then
        used = total
      elseif kind == "noop" then
        dissect_noop(tvb, tree, off, side, st, infos)
        used = 2
      else
        dissect_message(tvb, pinfo, tree, off, total, chunks, side, st, infos)
        used = total
      end
    end
    if used ~= nil and used < 0 then
      pinfo.desegment_offset = off
      pinfo.desegment_len = -used
      break
    elseif used ~= nil then
      off = off + used
    end
  end
  if #infos > 0 then
    -- TCP fences the column after each PDU: a later call of the frame appends its messages.
    local names = table.concat(infos, ", ")
    if frame_info[pinfo.number] then pinfo.cols.info = ", " .. names
    else pinfo.cols.info = (side == "client" and "C: " or "S: ") .. names end
    frame_info[pinfo.number] = true
  end
  return len
end

local function heuristic(tvb, pinfo, tree)
  if tvb:len() < 4 or tvb:raw(0, 4) ~= MAGIC then return false end
  pinfo.conversation = bolt
  bolt.dissector(tvb, pinfo, tree)
  return true
end

local registered_port = nil
local function register_port()
  local tcp = DissectorTable.get("tcp.port")
  if registered_port then tcp:remove(registered_port, bolt) end
  registered_port = bolt.prefs.port
  if registered_port ~= 0 then tcp:add(registered_port, bolt) end
end

function bolt.prefs_changed()
  if registered_port ~= bolt.prefs.port then register_port() end
end

register_port()
bolt:register_heuristic("tcp", heuristic)

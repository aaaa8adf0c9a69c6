// The old Node service's parse of a recipients workbook, timed: SheetJS
// (`xlsx`) reads the file and turns the first sheet into row objects, as
// its import did before normalising phones. Used by infra/bench-import.sh
// as the yardstick the Rust import (parse, normalise and insert) must beat.
//
// Usage: node sheetjs-parse.js <file.xlsx> [runs]   (NODE_PATH: where xlsx is)
"use strict";
const fs = require("fs");
const XLSX = require("xlsx");

const [file, runsArg] = process.argv.slice(2);
const runs = Number(runsArg || 3);
const bytes = fs.readFileSync(file);
for (let i = 0; i < runs; i++) {
  const start = process.hrtime.bigint();
  const workbook = XLSX.read(bytes, { type: "buffer" });
  const read = process.hrtime.bigint();
  const rows = XLSX.utils.sheet_to_json(workbook.Sheets[workbook.SheetNames[0]]);
  const end = process.hrtime.bigint();
  const ms = (a, b) => Number(b - a) / 1e6;
  // One line per run: total ms, read ms, rows.
  console.log(`${ms(start, end).toFixed(0)} ${ms(start, read).toFixed(0)} ${rows.length}`);
}
console.error(`SheetJS ${XLSX.version}`);

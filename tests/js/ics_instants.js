// Reads .ics files the way calendar apps do — Mozilla's ical.js (Thunderbird), with the files' own VTIMEZONEs,
// and node-ical — and prints every event's start and end as UTC instants: {file: {parser: [[uid, start, end]]}}.
"use strict";
const fs = require("fs");
const nodeIcal = require("node-ical");

(async () => {
  const ICAL = (await import("ical.js")).default;
  const results = {};
  for (const file of process.argv.slice(2)) {
    const text = fs.readFileSync(file, "utf8");
    const root = new ICAL.Component(ICAL.parse(text));
    ICAL.TimezoneService.reset();
    for (const zone of root.getAllSubcomponents("vtimezone")) ICAL.TimezoneService.register(new ICAL.Timezone(zone));
    const icaljs = root.getAllSubcomponents("vevent").map((component) => {
      const event = new ICAL.Event(component);
      return [event.uid, event.startDate.toJSDate().toISOString(), event.endDate.toJSDate().toISOString()];
    });
    const nodeical = Object.values(nodeIcal.sync.parseICS(text)).filter((item) => item.type === "VEVENT")
      .map((event) => [event.uid, event.start.toISOString(), event.end.toISOString()]);
    results[file] = { "ical.js": icaljs, "node-ical": nodeical };
  }
  process.stdout.write(JSON.stringify(results));
})().catch((error) => { console.error(error); process.exit(1); });

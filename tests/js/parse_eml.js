// A second parser for .eml files (npm "mailparser", as Nodemailer's users read mail): prints JSON.
"use strict";
const fs = require("fs");
const { simpleParser } = require("mailparser");

(async () => {
  const mail = await simpleParser(fs.readFileSync(process.argv[2]));
  const headers = {};
  for (const [name, value] of mail.headers) headers[name] = typeof value === "string" ? value : JSON.stringify(value);
  process.stdout.write(JSON.stringify({
    subject: mail.subject, from: mail.from.text, date: mail.date.toISOString(), messageId: mail.messageId,
    text: mail.text, html: mail.html, headers, listUnsubscribe: mail.headers.get("list").unsubscribe,
  }));
})().catch((error) => { console.error(error); process.exit(1); });

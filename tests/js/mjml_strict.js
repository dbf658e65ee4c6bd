// The official MJML (npm "mjml") on MJML files, strictly: prints {file: {errors, html}} as JSON.
"use strict";
const fs = require("fs");
const mjml = require("mjml");

const results = {};
for (const file of process.argv.slice(2)) {
  try {
    const { html, errors } = mjml(fs.readFileSync(file, "utf8"), { validationLevel: "strict", filePath: file });
    results[file] = { errors: errors.map((e) => e.formattedMessage), html };
  } catch (error) {  // strict validation throws with every error found
    results[file] = { errors: (error.errors || [{ formattedMessage: error.message }]).map((e) => e.formattedMessage),
                      html: "" };
  }
}
process.stdout.write(JSON.stringify(results));

// Print how long the process has been up, in words (needs the ms package).
const ms = require('ms');

console.log(`up ${ms(Math.max(1, Math.round(process.uptime() * 1000)), { long: true })}`);

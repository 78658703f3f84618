// memlab (a bench-only devDependency) pulls in puppeteer; we never drive a browser, so never download one.
module.exports = { skipDownload: true };

// mlb-report drives a system Chrome/Chromium (see src/render/pdf.ts); never download a browser.
module.exports = { skipDownload: true };

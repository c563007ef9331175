// Loaded with `node --import`: moves JavaScript's clock (Date.now(), new Date()) by
// MLB_TEST_CLOCK_OFFSET_DAYS days, so a test can run the tool on another day. OpenSSL and the
// monotonic clock are untouched.
const days = Number(process.env.MLB_TEST_CLOCK_OFFSET_DAYS ?? '0');
const offsetMs = days * 86_400_000;
const RealDate = Date;
class ShiftedDate extends RealDate {
  constructor(...args) {
    if (args.length === 0) super(RealDate.now() + offsetMs);
    else super(...args);
  }
  static now() {
    return RealDate.now() + offsetMs;
  }
}
globalThis.Date = ShiftedDate;

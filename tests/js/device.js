// Remember a device with amazon-cognito-identity-js against Cogito, then sign in again on it.
//
// First sign-in: SRP, the SOFTWARE_TOKEN_MFA code (computed here from the shared secret,
// RFC 6238), then the SDK's own ConfirmDevice with its verifier. Second sign-in (a new
// CognitoUser over the same storage, as after a page reload): the SDK sends DEVICE_KEY and
// answers DEVICE_SRP_AUTH / DEVICE_PASSWORD_VERIFIER by itself; no code is asked for.
// Prints one JSON line for tests/test_devices_js.py.
//
// Usage: node device.js '<json config>'  config: {endpoint, poolId, clientId, username, password, secret}
"use strict";

const crypto = require("crypto");
const { AuthenticationDetails, CognitoUser, CognitoUserPool } = require("amazon-cognito-identity-js");

const config = JSON.parse(process.argv[2]);
const storage = (() => {
  const data = {};
  return {
    setItem: (k, v) => { data[k] = String(v); },
    getItem: (k) => (k in data ? data[k] : null),
    removeItem: (k) => { delete data[k]; },
    clear: () => { for (const k of Object.keys(data)) delete data[k]; },
  };
})();
const pool = new CognitoUserPool({
  UserPoolId: config.poolId, ClientId: config.clientId, endpoint: config.endpoint, Storage: storage,
});
const out = { rounds: [] };

function base32(text) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const ch of text.replace(/=+$/, "")) bits += alphabet.indexOf(ch).toString(2).padStart(5, "0");
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

function totp(secret) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 1000 / 30)));
  const mac = crypto.createHmac("sha1", base32(secret)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1000000).padStart(6, "0");
}

function finish(code) {
  process.stdout.write(JSON.stringify(out) + "\n");
  process.exit(code);
}

function signIn(round, next) {
  const user = new CognitoUser({ Username: config.username, Pool: pool, Storage: storage });
  user.getCachedDeviceKeyAndPassword();
  const record = { sentDeviceKey: user.deviceKey || null, challenges: [] };
  out.rounds.push(record);
  const callbacks = {
    onSuccess(session) {
      record.deviceKeyClaim = session.getAccessToken().decodePayload().device_key || null;
      record.cachedDeviceKey = storage.getItem(
        `CognitoIdentityServiceProvider.${config.clientId}.${user.getUsername()}.deviceKey`);
      next();
    },
    onFailure(err) {
      record.error = { code: err.code, message: err.message };
      finish(0);
    },
    totpRequired(name) {
      record.challenges.push(name);
      user.sendMFACode(totp(config.secret), callbacks, "SOFTWARE_TOKEN_MFA");
    },
    mfaRequired(name) {
      record.challenges.push(name);
      finish(0);
    },
  };
  user.authenticateUser(new AuthenticationDetails({ Username: config.username, Password: config.password }),
    callbacks);
}

signIn(1, () => signIn(2, () => finish(0)));
setTimeout(() => {
  out.error = { code: "Timeout", message: "no answer within 45 s" };
  finish(1);
}, 45000).unref();

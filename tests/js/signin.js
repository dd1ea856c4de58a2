// Sign in to Cogito with amazon-cognito-identity-js (SRP), refresh the session, and print
// what happened as one JSON line: tests/test_js_clients.py asserts on it.
//
// Usage: node signin.js '<json config>'
//   config: {endpoint, poolId, clientId, username, password, newPassword?, newAttributes?}
// NODE_PATH must point at the node_modules holding amazon-cognito-identity-js.
"use strict";

const {
  AuthenticationDetails,
  CognitoUser,
  CognitoUserPool,
  CognitoRefreshToken,
} = require("amazon-cognito-identity-js");

const config = JSON.parse(process.argv[2]);
const pool = new CognitoUserPool({
  UserPoolId: config.poolId,
  ClientId: config.clientId,
  endpoint: config.endpoint,
});
const user = new CognitoUser({ Username: config.username, Pool: pool });
const details = new AuthenticationDetails({ Username: config.username, Password: config.password });
const out = { challenges: [] };

function claimsOf(session) {
  return {
    id: session.getIdToken().decodePayload(),
    access: session.getAccessToken().decodePayload(),
    hasRefresh: Boolean(session.getRefreshToken().getToken()),
    valid: session.isValid(),
  };
}

function finish(code) {
  process.stdout.write(JSON.stringify(out) + "\n");
  process.exit(code);
}

function refresh(session) {
  const token = new CognitoRefreshToken({ RefreshToken: session.getRefreshToken().getToken() });
  user.refreshSession(token, (err, renewed) => {
    if (err) {
      out.refreshError = { code: err.code, message: err.message };
      finish(0);
      return;
    }
    out.refreshed = claimsOf(renewed);
    finish(0);
  });
}

const callbacks = {
  onSuccess(session) {
    out.signedIn = claimsOf(session);
    out.username = user.getUsername();
    refresh(session);
  },
  onFailure(err) {
    out.error = { code: err.code, name: err.name, message: err.message };
    finish(0);
  },
  newPasswordRequired(userAttributes, requiredAttributes) {
    // Both arrive JSON.parse'd by the SDK: their presence is the point.
    out.challenges.push({ name: "NEW_PASSWORD_REQUIRED", userAttributes, requiredAttributes });
    if (!config.newPassword) {
      finish(0);
      return;
    }
    user.completeNewPasswordChallenge(config.newPassword, config.newAttributes || {}, callbacks);
  },
};

user.authenticateUser(details, callbacks);
setTimeout(() => {
  out.error = { code: "Timeout", message: "no answer within 30 s" };
  finish(1);
}, 30000).unref();

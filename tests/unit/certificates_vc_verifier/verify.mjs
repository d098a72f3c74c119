// Verifies one credential with Digital Bazaar's W3C Verifiable Credentials libraries, as an outside verifier would:
// the Data Integrity proof (eddsa-rdfc-2022) against the key the issuer's did:web document publishes, then the
// credential's Bitstring Status List entry against the (itself verified) status list credential.
//
// stdin: {"credential": …, "documents": {"<url or DID>": <document>, …}}: what the verifier would fetch from the
// network (the did:web document, the status list credential, the Open Badges context), served from memory.
// stdout: {"verified": bool, "revoked": bool | null, "error": string | null}
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022CryptoSuite} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {securityLoader} from '@digitalbazaar/security-document-loader';
import {checkStatus} from '@digitalbazaar/vc-bitstring-status-list';
import * as vc from '@digitalbazaar/vc';

const input = JSON.parse(await new Promise(resolve => {
  let text = '';
  process.stdin.on('data', chunk => text += chunk);
  process.stdin.on('end', () => resolve(text));
}));
const published = input.documents;
const fallback = securityLoader().build();

async function documentLoader(url) {
  if(url in published) {
    return {contextUrl: null, documentUrl: url, document: published[url]};
  }
  const [did, fragment] = url.split('#');
  if(fragment !== undefined && did in published) {
    // A verification method: the DID document's entry of that id, in the Multikey context.
    const method = published[did].verificationMethod.find(m => m.id === url);
    if(method) {
      return {
        contextUrl: null,
        documentUrl: url,
        document: {'@context': 'https://w3id.org/security/multikey/v1', ...method}
      };
    }
  }
  return fallback(url);
}

const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022CryptoSuite});
let output;
try {
  const result = await vc.verifyCredential({
    credential: input.credential,
    suite,
    documentLoader,
    checkStatus: options => checkStatus({...options, suite, documentLoader}),
  });
  const errors = [result.error, result.statusResult?.error]
    .filter(Boolean)
    .flatMap(error => error.errors ?? [error])
    .map(error => error.message);
  output = {
    verified: result.verified,
    // The status check verifies and reads the list; a set bit means revoked, and says nothing of the proof.
    revoked: result.statusResult?.verified ? result.statusResult.results.some(({status}) => status) : null,
    error: errors.length ? errors.join('; ') : null,
  };
} catch(error) {
  output = {verified: false, revoked: null, error: error.message};
}
process.stdout.write(JSON.stringify(output));

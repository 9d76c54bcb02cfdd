import { randomUUID } from 'node:crypto';
import { xmlEscape } from './aws-protocol.ts';

/**
 * SQS's query protocol (form-encoded requests, XML answers; the AWS CLI 2.9 that Debian
 * ships and older SDKs speak it) translated to and from the JSON protocol, following
 * the SQS API reference's query examples: `Attribute.N.Name/Value`, `AttributeName.N`,
 * `MessageAttribute.N.Name/Value.*`, `<Op>RequestEntry.N.*` batch entries; flattened lists
 * and maps in the XML answer.
 */

const INTEGERS = new Set([
  'MaxResults',
  'DelaySeconds',
  'MaxNumberOfMessages',
  'VisibilityTimeout',
  'WaitTimeSeconds',
]);
const NAME_LISTS: Record<string, string> = {
  AttributeName: 'AttributeNames',
  MessageAttributeName: 'MessageAttributeNames',
  MessageSystemAttributeName: 'MessageSystemAttributeNames',
  TagKey: 'TagKeys',
};

type Tree = { [key: string]: Tree | string };

/** The JSON-protocol input of a query-protocol request. */
export function queryToJson(action: string, form: URLSearchParams): Record<string, unknown> {
  const tree: Tree = {};
  for (const [key, value] of form) {
    if (key === 'Action' || key === 'Version') continue;
    const path = key.split('.');
    let node = tree;
    for (const [i, segment] of path.entries()) {
      if (i === path.length - 1) node[segment] = value;
      else {
        const child = node[segment];
        const next: Tree = typeof child === 'object' ? child : {};
        node[segment] = next;
        node = next;
      }
    }
  }
  return convert(tree, action);
}

const ordered = (tree: Tree) =>
  Object.entries(tree)
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([, v]) => v);

function convert(tree: Tree, action: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(tree)) {
    if (typeof value === 'string') {
      out[key] = INTEGERS.has(key) ? Number(value) : value;
    } else if (NAME_LISTS[key]) {
      out[NAME_LISTS[key]] = ordered(value);
    } else if (key === 'Attribute') {
      out.Attributes = Object.fromEntries(
        ordered(value).map((e) => [(e as Tree).Name as string, (e as Tree).Value as string]),
      );
    } else if (key === 'Tag') {
      out[action === 'TagQueue' ? 'Tags' : 'tags'] = Object.fromEntries(
        ordered(value).map((e) => [(e as Tree).Key as string, (e as Tree).Value as string]),
      );
    } else if (key === 'MessageAttribute') {
      out.MessageAttributes = Object.fromEntries(
        ordered(value).map((e) => [(e as Tree).Name as string, (e as Tree).Value as Tree]),
      );
    } else if (key.endsWith('RequestEntry')) {
      out.Entries = ordered(value).map((entry) => convert(entry as Tree, action));
    } else {
      out[key] = convert(value, action);
    }
  }
  return out;
}

/** The XML answer of a query-protocol request from the JSON-protocol result. */
export function jsonToQueryXml(action: string, result: Record<string, unknown>): string {
  return (
    `<?xml version="1.0"?><${action}Response xmlns="http://queue.amazonaws.com/doc/2012-11-05/">` +
    `<${action}Result>${members(action, result)}</${action}Result>` +
    `<ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></${action}Response>`
  );
}

const element = (name: string, content: string) => `<${name}>${content}</${name}>`;

function members(action: string, value: Record<string, unknown>): string {
  let xml = '';
  for (const [key, v] of Object.entries(value)) {
    if (v === undefined || v === null) continue;
    if (key === 'QueueUrls')
      xml += (v as string[]).map((url) => element('QueueUrl', xmlEscape(url))).join('');
    else if (key === 'Attributes')
      xml += Object.entries(v as Record<string, string>)
        .map(([n, val]) =>
          element('Attribute', element('Name', xmlEscape(n)) + element('Value', xmlEscape(String(val)))),
        )
        .join('');
    else if (key === 'Tags')
      xml += Object.entries(v as Record<string, string>)
        .map(([n, val]) =>
          element('Tag', element('Key', xmlEscape(n)) + element('Value', xmlEscape(String(val)))),
        )
        .join('');
    else if (key === 'MessageAttributes')
      xml += Object.entries(v as Record<string, Record<string, unknown>>)
        .map(([n, val]) =>
          element('MessageAttribute', element('Name', xmlEscape(n)) + element('Value', members(action, val))),
        )
        .join('');
    else if (key === 'Messages')
      xml += (v as Record<string, unknown>[]).map((m) => element('Message', members(action, m))).join('');
    else if (key === 'Successful')
      xml += (v as Record<string, unknown>[])
        .map((e) => element(`${action}ResultEntry`, members(action, e)))
        .join('');
    else if (key === 'Failed')
      xml += (v as Record<string, unknown>[])
        .map((e) => element('BatchResultErrorEntry', members(action, e)))
        .join('');
    else if (typeof v === 'object') xml += element(key, members(action, v as Record<string, unknown>));
    else xml += element(key, xmlEscape(String(v)));
  }
  return xml;
}

// parser.js - Basic function template (the JavaScript twin of parser.py: the same answers)
'use strict';

/**
 * Process CloudEvent and return result
 *
 * @param {object} event CloudEvent data
 * @returns {object} Processing result
 */
function handler(event) {
  // Extract event data
  const parserId = event.parser_id ?? null;
  const thirdPartyId = event.third_party_id ?? null;
  const data = event.data ?? {};

  // Business logic
  const result = processData(data);

  // Return result
  return {
    status: 'success',
    parser_id: parserId,
    result,
  };
}

/** Your business logic here */
function processData(data) {
  return { processed: true };
}

module.exports = { handler };

if (require.main === module) {
  // For local testing: node parser.js
  const testEvent = {
    parser_id: 'test-parser',
    third_party_id: 'customer-123',
    data: { key: 'value' },
  };
  console.log(JSON.stringify(handler(testEvent), null, 2));
}

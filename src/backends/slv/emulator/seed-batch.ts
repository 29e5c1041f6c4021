/**
 * The finished commissioning batch of SLV's API reference (seed 004, `getBatchResult` sample),
 * served verbatim for its id so tests can check the exact mapping against a real answer.
 */
export const SEED_BATCH_ID = '1481016600181';

// Each step of the sample lists its info messages twice: in `infoMessages` and again in `messages`.
const CHECK_MESSAGES = [
  {
    "status": 0,
    "statusText": "OK",
    "text": "Inventory has been checked in the database and is consistent"
  }
];

const COMMISSIONING_MESSAGES = [
  {
    "status": 0,
    "statusText": "OK",
    "text": "Devices configs are pushed using mode 'LIST'."
  },
  {
    "status": 0,
    "statusText": "OK",
    "text": "2 devices in list. 2 were pushed. 0 were ignored and 0 were not pushed because not found on controller."
  },
  {
    "status": 0,
    "statusText": "OK",
    "text": "All messages and configuration data have been sent and accepted by the controller"
  }
];

export const SEED_BATCH: Record<string, unknown> = {
  "batchId": "1481016600181",
  "batchProgressMessage": "Commissioning process finished.",
  "batchProgressValue": 100,
  "batchRunning": false,
  "cancelRequested": false,
  "cancelled": false,
  "errorCode": "0",
  "errorCodeLabel": null,
  "message": null,
  "status": "OK",
  "statusError": false,
  "statusOk": true,
  "value": {
    "errorMessagesCount": 0,
    "infoMessagesCount": 4,
    "login": "admin",
    "status": 0,
    "stepResults": [
      {
        "errorMessages": [],
        "errorMessagesCount": 0,
        "infoMessages": CHECK_MESSAGES,
        "infoMessagesCount": 1,
        "label": "Check database configuration",
        "messages": [...CHECK_MESSAGES],
        "status": 0,
        "stepLabel": "Check database configuration",
        "stepName": "check",
        "warningMessages": [],
        "warningMessagesCount": 0
      },
      {
        "errorMessages": [],
        "errorMessagesCount": 0,
        "infoMessages": COMMISSIONING_MESSAGES,
        "infoMessagesCount": 3,
        "label": "Commissioning",
        "messages": [...COMMISSIONING_MESSAGES],
        "status": 0,
        "stepLabel": "Commissioning",
        "stepName": "commissioning",
        "warningMessages": [],
        "warningMessagesCount": 0
      }
    ],
    "warningMessagesCount": 0
  }
};

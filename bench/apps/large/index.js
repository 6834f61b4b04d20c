// Loads whole libraries the way real apps do, so the module graph is large.
require('core-js');
const rx = require('rxjs');
const operators = require('rxjs/operators');
const dates = require('date-fns');
const locales = require('date-fns/locale');
const { S3Client } = require('@aws-sdk/client-s3');
const jsonServer = require('json-server');

import('lodash-es').then((_) => console.log(_.chunk([1, 2, 3], 2), rx, operators, dates, locales, S3Client, jsonServer));

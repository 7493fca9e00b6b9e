// Generated from GET /api/openapi.json by openapi-typescript; regenerate as test/unit/api/typed-client.test.ts says.
export interface paths {
    "/api/documents": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Upload and ingest a document (.txt, .md, .html, .htm, .pdf, .docx); multipart part "file" */
        post: operations["uploadDocument"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/templates": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List templates */
        get: operations["listTemplates"];
        put?: never;
        /** Create a template: a JSON spec, or a file (.json, .md, .markdown, .docx, .pdf) in multipart part "file", with optional parts "spec" (JSON), "id", "name" */
        post: operations["createTemplate"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/templates/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A template (its spec and format) */
        get: operations["getTemplate"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/fills": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Start a fill: { templateId | template, documentIds, options? } → { fillId } */
        post: operations["startFill"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/fills/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A fill: { status, progress, result? } */
        get: operations["getFill"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/fills/{id}/resume": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Resume a fill parked on an exhausted daily quota */
        post: operations["resumeFill"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/fills/{id}/cancel": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Cancel a running fill */
        post: operations["cancelFill"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/fills/{id}/output": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The filled document (Markdown, DOCX or PDF; a JSON template gives Markdown) */
        get: operations["getFillOutput"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/templates/stats/api-usage": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Gemini usage: the seed system’s fields and Fillflow’s */
        get: operations["getApiUsage"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/bulks": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Start a bulk: { templateId | template, rows: [{ row, documentIds }], options? } → { bulkId }; with dryRun, the forecast */
        post: operations["startBulk"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/bulks/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A bulk: { status, progress: { rows, completed, failed, running, parked }, usage } */
        get: operations["getBulk"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/bulks/{id}/results": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Every ended row, in order: a FillResult with its `row`, or a failed row with its `error` (JSONL; partial while running) */
        get: operations["getBulkResults"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/bulks/{id}/cancel": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Cancel a bulk and its rows in flight */
        post: operations["cancelBulk"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/bulks/{id}/resume": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Resume a bulk parked on an exhausted daily quota, and its parked rows */
        post: operations["resumeBulk"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/metrics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Prometheus metrics: the Temporal SDK's, Fillflow's and this API's requests
         * @description Served when the process has FILLFLOW_METRICS_ADDRESS set (the same metrics as that address serves); see docs/metrics.md.
         */
        get: operations["getMetrics"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/health": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Liveness */
        get: operations["getHealth"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/openapi.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** This document */
        get: operations["getOpenApiDocument"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        Error: {
            error: {
                code: string;
                message: string;
                path?: string;
                issues?: {
                    path?: string;
                    message?: string;
                }[];
            };
        };
    };
    responses: {
        /** @description refused: `error.code` says why (e.g. invalid_request, unauthorized, forbidden_host, forbidden_origin, not_found) and `error.path` names the input at fault */
        ClientError: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description a server or Temporal failure, without internals */
        ServerError: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
    };
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    uploadDocument: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "multipart/form-data": {
                    /** Format: binary */
                    file: string;
                };
            };
        };
        responses: {
            /** @description the stored document (same text, same id) */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        id?: string;
                        name?: string;
                        mimeType?: string;
                        length?: number;
                        createdAt?: string;
                    };
                };
            };
            "4XX": components["responses"]["ClientError"];
            "5XX": components["responses"]["ServerError"];
        };
    };
    listTemplates: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description templates */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        templates: Record<string, never>[];
                    };
                };
            };
            "4XX": components["responses"]["ClientError"];
            "5XX": components["responses"]["ServerError"];
        };
    };
    createTemplate: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    id: string;
                    name?: string;
                    description?: string;
                    fields: {
                        key: string;
                        label?: string;
                        description?: string;
                        /** @enum {string} */
                        type: "string" | "text" | "number" | "integer" | "money" | "date" | "boolean" | "enum" | "email" | "phone" | "url" | "list";
                        required?: boolean;
                        options?: string[];
                        pattern?: string;
                        examples?: (string | number)[];
                    }[];
                    /** @description BCP 47 tag of the documents' language and region ("en-GB"): the date order and phone region when not set */
                    locale?: string;
                    /**
                     * @description how numeric dates are written (03/04/2024); without it or a locale, ambiguous dates are not read
                     * @enum {string}
                     */
                    dateOrder?: "DMY" | "MDY" | "YMD";
                    /**
                     * @description what a value no passage proves becomes: kept and counted as unproven, or invalid
                     * @enum {string}
                     */
                    unproven?: "keep" | "invalid";
                };
                "multipart/form-data": {
                    /** Format: binary */
                    file: string;
                    /** @description a JSON template whose fields give types and labels */
                    spec?: string;
                    id?: string;
                    name?: string;
                };
            };
        };
        responses: {
            /** @description the same template was already stored */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        id: string;
                        /** @enum {string} */
                        format: "json" | "markdown" | "docx" | "pdf";
                        template: {
                            id: string;
                            name?: string;
                            description?: string;
                            fields: {
                                key: string;
                                label?: string;
                                description?: string;
                                /** @enum {string} */
                                type: "string" | "text" | "number" | "integer" | "money" | "date" | "boolean" | "enum" | "email" | "phone" | "url" | "list";
                                required?: boolean;
                                options?: string[];
                                pattern?: string;
                                examples?: (string | number)[];
                            }[];
                            /** @description BCP 47 tag of the documents' language and region ("en-GB"): the date order and phone region when not set */
                            locale?: string;
                            /**
                             * @description how numeric dates are written (03/04/2024); without it or a locale, ambiguous dates are not read
                             * @enum {string}
                             */
                            dateOrder?: "DMY" | "MDY" | "YMD";
                            /**
                             * @description what a value no passage proves becomes: kept and counted as unproven, or invalid
                             * @enum {string}
                             */
                            unproven?: "keep" | "invalid";
                        };
                        warnings: {
                            path: string;
                            message: string;
                        }[];
                    };
                };
            };
            /** @description created; `warnings` lists fields in the document but not the spec, and the reverse */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        id: string;
                        /** @enum {string} */
                        format: "json" | "markdown" | "docx" | "pdf";
                        template: {
                            id: string;
                            name?: string;
                            description?: string;
                            fields: {
                                key: string;
                                label?: string;
                                description?: string;
                                /** @enum {string} */
                                type: "string" | "text" | "number" | "integer" | "money" | "date" | "boolean" | "enum" | "email" | "phone" | "url" | "list";
                                required?: boolean;
                                options?: string[];
                                pattern?: string;
                                examples?: (string | number)[];
                            }[];
                            /** @description BCP 47 tag of the documents' language and region ("en-GB"): the date order and phone region when not set */
                            locale?: string;
                            /**
                             * @description how numeric dates are written (03/04/2024); without it or a locale, ambiguous dates are not read
                             * @enum {string}
                             */
                            dateOrder?: "DMY" | "MDY" | "YMD";
                            /**
                             * @description what a value no passage proves becomes: kept and counted as unproven, or invalid
                             * @enum {string}
                             */
                            unproven?: "keep" | "invalid";
                        };
                        warnings: {
                            path: string;
                            message: string;
                        }[];
                    };
                };
            };
            /** @description a different template has this id (`template_conflict`) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            "4XX": components["responses"]["ClientError"];
            "5XX": components["responses"]["ServerError"];
        };
    };
    getTemplate: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the template */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        id: string;
                        name?: string;
                        description?: string;
                        fields: {
                            key: string;
                            label?: string;
                            description?: string;
                            /** @enum {string} */
                            type: "string" | "text" | "number" | "integer" | "money" | "date" | "boolean" | "enum" | "email" | "phone" | "url" | "list";
                            required?: boolean;
                            options?: string[];
                            pattern?: string;
                            examples?: (string | number)[];
                        }[];
                        /** @description BCP 47 tag of the documents' language and region ("en-GB"): the date order and phone region when not set */
                        locale?: string;
                        /**
                         * @description how numeric dates are written (03/04/2024); without it or a locale, ambiguous dates are not read
                         * @enum {string}
                         */
                        dateOrder?: "DMY" | "MDY" | "YMD";
                        /**
                         * @description what a value no passage proves becomes: kept and counted as unproven, or invalid
                         * @enum {string}
                         */
                        unproven?: "keep" | "invalid";
                        /** @enum {string} */
                        format: "json" | "markdown" | "docx" | "pdf";
                        /** @description the uploaded template file, for document templates */
                        source?: {
                            fileName?: string;
                            mediaType?: string;
                        };
                    };
                };
            };
            /** @description no such template (`template_not_found`) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            "4XX": components["responses"]["ClientError"];
            "5XX": components["responses"]["ServerError"];
        };
    };
    startFill: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    templateId?: string;
                    template?: {
                        id: string;
                        name?: string;
                        description?: string;
                        fields: {
                            key: string;
                            label?: string;
                            description?: string;
                            /** @enum {string} */
                            type: "string" | "text" | "number" | "integer" | "money" | "date" | "boolean" | "enum" | "email" | "phone" | "url" | "list";
                            required?: boolean;
                            options?: string[];
                            pattern?: string;
                            examples?: (string | number)[];
                        }[];
                        /** @description BCP 47 tag of the documents' language and region ("en-GB"): the date order and phone region when not set */
                        locale?: string;
                        /**
                         * @description how numeric dates are written (03/04/2024); without it or a locale, ambiguous dates are not read
                         * @enum {string}
                         */
                        dateOrder?: "DMY" | "MDY" | "YMD";
                        /**
                         * @description what a value no passage proves becomes: kept and counted as unproven, or invalid
                         * @enum {string}
                         */
                        unproven?: "keep" | "invalid";
                    };
                    documentIds: string[];
                    /** @description Unset options take the server's configuration (profile, config file, environment), then the workflow's defaults: the same as a CLI fill. */
                    options?: {
                        maxBatchSize?: number;
                        maxInputTokens?: number;
                        maxOutputTokens?: number;
                        maxConcurrentBatches?: number;
                        /**
                         * @description interactive fills run ahead of bulk ones on the Gemini queue
                         * @enum {string}
                         */
                        priority?: "interactive" | "bulk";
                        /**
                         * @description when the daily quota runs out: park until the reset, or also fill offline at once
                         * @enum {string}
                         */
                        onQuotaExhausted?: "wait" | "fallback";
                        /**
                         * @description what a value no passage proves becomes; wins over the template's setting
                         * @enum {string}
                         */
                        unproven?: "keep" | "invalid";
                    };
                    /** @description answer 200 with the calls and tokens the fill would spend under the limits in force, and start nothing */
                    dryRun?: boolean;
                };
            };
        };
        responses: {
            /** @description with `dryRun`: the calls and tokens the fill would spend (FillCostEstimate); nothing started */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": Record<string, never>;
                };
            };
            /** @description started */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        fillId: string;
                        status: string;
                    };
                };
            };
            /** @description an unknown template or document (`unknown_template`, `unknown_document`) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            "4XX": components["responses"]["ClientError"];
            "5XX": components["responses"]["ServerError"];
        };
    };
    getFill: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the fill */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        fillId: string;
                        /** @description running | completed | failed | cancelled | terminated | timed_out (and any status the workflow reports) */
                        status: string;
                        progress?: {
                            phase?: string;
                            fieldsTotal?: number;
                            fieldsDone?: number;
                            batchesTotal?: number;
                            batchesDone?: number;
                        };
                        result?: {
                            fillId?: string;
                            templateId?: string;
                            status?: string;
                            fields?: {
                                key?: string;
                                value?: unknown;
                                /** @enum {string} */
                                status?: "filled" | "not_found" | "fallback" | "invalid";
                                /** @enum {string} */
                                method?: "gemini" | "cache" | "offline";
                                sources?: {
                                    documentId?: string;
                                    quote?: string;
                                    start?: number;
                                    end?: number;
                                    page?: number;
                                }[];
                                reason?: string;
                                /** @enum {string} */
                                grounding?: "exact" | "normalized" | "fuzzy" | "none";
                            }[];
                            /** @description the endpoint and model whose answers these are: endpoint "gemini" is Google's API, a URL is another server (an emulator or proxy), "offline" means no endpoint answered */
                            answeredBy?: {
                                model?: string;
                                endpoint?: string;
                            };
                            usage?: {
                                apiCalls?: number;
                                cacheHits?: number;
                                promptTokens?: number;
                                outputTokens?: number;
                                rateLimited?: number;
                                retries?: number;
                                fieldsPerCall?: number;
                                batches?: number;
                                durationMs?: number;
                            };
                            notices?: string[];
                            outputRef?: string;
                        };
                        error?: string;
                        outputUrl?: string;
                    };
                };
            };
            /** @description no such fill (`fill_not_found`) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            "4XX": components["responses"]["ClientError"];
            "5XX": components["responses"]["ServerError"];
        };
    };
    resumeFill: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description resume signalled */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        fillId: string;
                        status: string;
                        resumed?: boolean;
                    };
                };
            };
            /** @description the fill is not running (`not_running`) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            "4XX": components["responses"]["ClientError"];
            "5XX": components["responses"]["ServerError"];
        };
    };
    cancelFill: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description cancellation requested */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        fillId: string;
                        status: string;
                    };
                };
            };
            /** @description the fill is not running (`not_running`) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            "4XX": components["responses"]["ClientError"];
            "5XX": components["responses"]["ServerError"];
        };
    };
    getFillOutput: {
        parameters: {
            query?: {
                flatten?: "true" | "false";
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the file */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/octet-stream": string;
                };
            };
            /** @description the fill has not finished (`not_ready`) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            "4XX": components["responses"]["ClientError"];
            "5XX": components["responses"]["ServerError"];
        };
    };
    getApiUsage: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description usage */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        gemini_api_stats?: {
                            total_api_calls?: number;
                            cache_size?: number;
                            service_available?: boolean;
                        };
                        optimization_info?: {
                            parallel_processing_enabled?: boolean;
                            max_concurrent_batches?: number;
                            fields_per_api_call_efficiency?: number;
                        };
                        /** @description Fillflow totals: calls, tokens, cache hits, 429s by quota, retries, errors, time waited for quota */
                        usage?: Record<string, never>;
                        /** @description the profile, model and limits in force */
                        limits?: Record<string, never>;
                        /** @description per API-key identity (a short hash, never the key) and model: requests today, quota left */
                        quota?: unknown[];
                        /** @description requests, cache hits and tokens per endpoint ("gemini" for Google's API, else the base URL of an emulator or proxy) and model; "unknown" for usage recorded before endpoints were */
                        byEndpoint?: {
                            endpoint?: string;
                            model?: string;
                            apiCalls?: number;
                            cacheHits?: number;
                            promptTokens?: number;
                            outputTokens?: number;
                        }[];
                    };
                };
            };
            "4XX": components["responses"]["ClientError"];
            "5XX": components["responses"]["ServerError"];
        };
    };
    startBulk: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    templateId?: string;
                    template?: {
                        id: string;
                        name?: string;
                        description?: string;
                        fields: {
                            key: string;
                            label?: string;
                            description?: string;
                            /** @enum {string} */
                            type: "string" | "text" | "number" | "integer" | "money" | "date" | "boolean" | "enum" | "email" | "phone" | "url" | "list";
                            required?: boolean;
                            options?: string[];
                            pattern?: string;
                            examples?: (string | number)[];
                        }[];
                        /** @description BCP 47 tag of the documents' language and region ("en-GB"): the date order and phone region when not set */
                        locale?: string;
                        /**
                         * @description how numeric dates are written (03/04/2024); without it or a locale, ambiguous dates are not read
                         * @enum {string}
                         */
                        dateOrder?: "DMY" | "MDY" | "YMD";
                        /**
                         * @description what a value no passage proves becomes: kept and counted as unproven, or invalid
                         * @enum {string}
                         */
                        unproven?: "keep" | "invalid";
                    };
                    rows: {
                        /** @description unique in the bulk; the row's fill ID is `<bulkId>/<row>` */
                        row: string;
                        documentIds: string[];
                    }[];
                    /** @description Unset options take the server's configuration (profile, config file, environment), then the workflow's defaults: the same as a CLI fill. */
                    options?: {
                        maxBatchSize?: number;
                        maxInputTokens?: number;
                        maxOutputTokens?: number;
                        maxConcurrentBatches?: number;
                        /**
                         * @description interactive fills run ahead of bulk ones on the Gemini queue
                         * @enum {string}
                         */
                        priority?: "interactive" | "bulk";
                        /**
                         * @description when the daily quota runs out: park until the reset, or also fill offline at once
                         * @enum {string}
                         */
                        onQuotaExhausted?: "wait" | "fallback";
                        /**
                         * @description what a value no passage proves becomes; wins over the template's setting
                         * @enum {string}
                         */
                        unproven?: "keep" | "invalid";
                    };
                    /** @description rows in flight at once; default one minute of the quota */
                    window?: number;
                    /**
                     * @description how rows reach Gemini: standard, flex (half price, slower), batch (Batch Mode: half price, up to a day), auto (batch when the deadline allows)
                     * @enum {string}
                     */
                    route?: "standard" | "flex" | "batch" | "auto";
                    /** @description when the bulk should be done (ISO 8601 date-time) */
                    deadline?: string;
                    /** @description return the forecast (calls, tokens, cost by route, time at the quota) and start nothing */
                    dryRun?: boolean;
                };
            };
        };
        responses: {
            /** @description the forecast (dryRun): nothing was started */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": Record<string, never>;
                };
            };
            /** @description started */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        bulkId: string;
                        status: string;
                    };
                };
            };
            /** @description an unknown template or document (`unknown_template`, `unknown_document`) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            "4XX": components["responses"]["ClientError"];
            "5XX": components["responses"]["ServerError"];
        };
    };
    getBulk: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the bulk */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        bulkId: string;
                        /** @description running | paused-quota | completed | cancelled | failed | terminated | timed_out */
                        status: string;
                        progress: {
                            rows?: number;
                            completed?: number;
                            failed?: number;
                            cancelled?: number;
                            running?: number;
                            parked?: number;
                            pending?: number;
                        };
                        usage: {
                            apiCalls?: number;
                            cacheHits?: number;
                            promptTokens?: number;
                            outputTokens?: number;
                            rateLimited?: number;
                        };
                        resumeAt?: string;
                        etaSeconds?: number;
                        error?: string;
                    };
                };
            };
            /** @description no such bulk (`bulk_not_found`) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            "4XX": components["responses"]["ClientError"];
            "5XX": components["responses"]["ServerError"];
        };
    };
    getBulkResults: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description one JSON object a line */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/x-ndjson": string;
                };
            };
            /** @description no such bulk (`bulk_not_found`) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            "4XX": components["responses"]["ClientError"];
            "5XX": components["responses"]["ServerError"];
        };
    };
    cancelBulk: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description cancellation requested */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        bulkId: string;
                        status: string;
                    };
                };
            };
            /** @description the bulk is not running (`not_running`) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            "4XX": components["responses"]["ClientError"];
            "5XX": components["responses"]["ServerError"];
        };
    };
    resumeBulk: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description resume signalled */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        bulkId: string;
                        status: string;
                    };
                };
            };
            /** @description the bulk is not running (`not_running`) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            "4XX": components["responses"]["ClientError"];
            "5XX": components["responses"]["ServerError"];
        };
    };
    getMetrics: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Prometheus' text exposition format */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/plain": string;
                };
            };
            /** @description this process serves no metrics (`metrics_off`): set FILLFLOW_METRICS_ADDRESS */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            "4XX": components["responses"]["ClientError"];
            "5XX": components["responses"]["ServerError"];
        };
    };
    getHealth: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the API is up */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @constant */
                        status: "ok";
                    };
                };
            };
            "4XX": components["responses"]["ClientError"];
            "5XX": components["responses"]["ServerError"];
        };
    };
    getOpenApiDocument: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the OpenAPI 3.1 description of this API */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": Record<string, never>;
                };
            };
            "4XX": components["responses"]["ClientError"];
            "5XX": components["responses"]["ServerError"];
        };
    };
}

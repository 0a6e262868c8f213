package io.tokenfactory.localrun;

/**
 * What the launcher prints once the suite is up: a first token three ways, each working
 * as printed (the key and the gateway's address written in, nothing else to fill in).
 *
 * @param curl a shell command
 * @param python a Python program for the {@code openai} package
 * @param node an ES module for the {@code openai} npm package
 */
public record FirstTokenSnippets(String curl, String python, String node) {

    static final String PROMPT = "Hello, factory";

    /**
     * The snippets for a gateway at {@code gatewayUrl} (no trailing slash), a department
     * key and a model it may use.
     */
    public static FirstTokenSnippets of(String gatewayUrl, String key, String model) {
        String curl = "curl -s " + gatewayUrl + "/v1/chat/completions \\\n" + "  -H \"Authorization: Bearer " + key
                + "\" -H 'Content-Type: application/json' \\\n" + "  -d '{\"model\": \"" + model
                + "\", \"messages\": [{\"role\": \"user\", \"content\": \"" + PROMPT + "\"}]}'";
        String python = "from openai import OpenAI\n" + "client = OpenAI(base_url=\"" + gatewayUrl + "/v1\", api_key=\""
                + key + "\")\n" + "reply = client.chat.completions.create(model=\"" + model
                + "\", messages=[{\"role\": \"user\", \"content\": \"" + PROMPT + "\"}])\n"
                + "print(reply.choices[0].message.content)";
        String node = "import OpenAI from \"openai\";\n" + "const client = new OpenAI({ baseURL: \"" + gatewayUrl
                + "/v1\", apiKey: \"" + key + "\" });\n"
                + "const reply = await client.chat.completions.create({ model: \"" + model
                + "\", messages: [{ role: \"user\", content: \"" + PROMPT + "\" }] });\n"
                + "console.log(reply.choices[0].message.content);";
        return new FirstTokenSnippets(curl, python, node);
    }

    /** The three, each under a line that says how to run it. */
    String printed() {
        return """
                Your first token (curl):

                %s

                Python (pip install openai; save as first_token.py, then python first_token.py):

                %s

                Node (npm install openai; save as first-token.mjs, then node first-token.mjs):

                %s
                """.formatted(curl, python, node);
    }

}

package io.tokenfactory.support.events;

import org.springframework.messaging.Message;
import org.springframework.messaging.MessageHeaders;
import org.springframework.messaging.converter.AbstractMessageConverter;
import org.springframework.util.MimeType;

/**
 * Lets the binder carry {@link CloudEventBatches} messages as they are: their payload is
 * already the batch's bytes, and their content type stays on the message for consumers to
 * see (without a converter for it the binder refuses to send them).
 */
public class CloudEventBatchConverter extends AbstractMessageConverter {

    public CloudEventBatchConverter() {
        super(MimeType.valueOf(CloudEventBatches.CONTENT_TYPE));
    }

    @Override
    protected boolean supports(Class<?> type) {
        return type == byte[].class || type == Object.class;
    }

    @Override
    protected Object convertFromInternal(Message<?> message, Class<?> targetClass, Object conversionHint) {
        return message.getPayload() instanceof byte[] bytes ? bytes : null;
    }

    @Override
    protected Object convertToInternal(Object payload, MessageHeaders headers, Object conversionHint) {
        return payload instanceof byte[] bytes ? bytes : null;
    }

}

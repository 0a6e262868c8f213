package io.tokenfactory.inference.web.openai;

import org.springframework.core.MethodParameter;
import org.springframework.http.ResponseEntity;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.method.support.AsyncHandlerMethodReturnValueHandler;
import org.springframework.web.method.support.ModelAndViewContainer;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBodyReturnValueHandler;

/**
 * The generation endpoints answer a stream or a whole response, decided by the request
 * body, so they are declared to return {@code Object}; Spring MVC recognises a streamed
 * {@code ResponseEntity} only by its declared generic type. This handler recognises it by
 * value and hands it to Spring's own streaming handler.
 */
final class AsyncResponses implements AsyncHandlerMethodReturnValueHandler {

    private final StreamingResponseBodyReturnValueHandler streaming = new StreamingResponseBodyReturnValueHandler();

    @Override
    public boolean isAsyncReturnValue(Object returnValue, MethodParameter returnType) {
        return returnValue instanceof ResponseEntity<?> entity && entity.getBody() instanceof StreamingResponseBody;
    }

    @Override
    public boolean supportsReturnType(MethodParameter returnType) {
        // for a returned value, Spring passes the value's own class here
        return ResponseEntity.class.isAssignableFrom(returnType.getParameterType());
    }

    @Override
    public void handleReturnValue(Object returnValue, MethodParameter returnType, ModelAndViewContainer container,
            NativeWebRequest request) throws Exception {
        streaming.handleReturnValue(returnValue, returnType, container, request);
    }

}
